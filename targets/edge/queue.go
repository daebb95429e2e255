package edge

import (
	"context"
	"encoding/json"
	"log"
	"sync"
	"time"
)

// queueConfig is a queue consumer's settings, as a Worker's
// [[queues.consumers]] entry sets them.
type queueConfig struct {
	maxBatchSize    int
	maxBatchTimeout time.Duration // how long a batch waits to fill
	maxRetries      int
}

// productionQueue is Cloudflare's production consumer defaults: batches of
// up to 10 messages, a batch waits up to 5 s to fill, a message is retried
// 3 times and then dropped (no dead-letter queue). `wrangler dev` defaults
// to 5, 1 s and 2; the model follows production.
var productionQueue = queueConfig{maxBatchSize: 10, maxBatchTimeout: 5 * time.Second, maxRetries: 3}

// queueMaxDelay is the longest delaySeconds a send accepts (24 h).
const queueMaxDelay = 24 * time.Hour

// queue is a Cloudflare Queue with one consumer: a message sent with a
// delay becomes visible after it, and visible messages are delivered in
// batches, as soon as a batch is full or when its oldest message has
// waited maxBatchTimeout. Delivery is at-least-once: a batch whose
// consumer fails is delivered again.
type queue struct {
	cfg     queueConfig
	consume func(ctx context.Context, bodies []json.RawMessage) error
	meters  *meters
	log     *log.Logger

	wake   chan struct{} // capacity 1: "ready changed"
	stop   chan struct{} // closed by close
	looped chan struct{} // closed when loop returns

	mu      sync.Mutex
	closed  bool
	delayed map[*time.Timer]struct{}
	ready   []*queueMessage
	running sync.WaitGroup // delayed timers and consumer invocations
}

type queueMessage struct {
	body     json.RawMessage
	visible  time.Time
	attempts int
}

func newQueue(cfg queueConfig, consume func(context.Context, []json.RawMessage) error, m *meters, logger *log.Logger) *queue {
	q := &queue{
		cfg: cfg, consume: consume, meters: m, log: logger,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), looped: make(chan struct{}),
		delayed: map[*time.Timer]struct{}{},
	}
	go q.loop()
	return q
}

// send is `queue.send(body, {delaySeconds})`: one write operation.
func (q *queue) send(body json.RawMessage, delaySeconds int) error {
	q.meters.queueOperations.Add(1)
	return q.enqueue(body, time.Duration(delaySeconds)*time.Second)
}

// enqueue holds body back for delay, then makes it visible. It is the
// queue's own storage at work: re-arming after a restart uses it without
// a new send.
func (q *queue) enqueue(body json.RawMessage, delay time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return errShuttingDown
	}
	m := &queueMessage{body: body}
	if delay <= 0 {
		q.arrive(m)
		return nil
	}
	q.running.Add(1)
	var t *time.Timer
	// The callback takes q.mu, which is held until t is recorded.
	t = time.AfterFunc(delay, func() {
		defer q.running.Done()
		q.mu.Lock()
		defer q.mu.Unlock()
		delete(q.delayed, t)
		if !q.closed {
			q.arrive(m)
		}
	})
	q.delayed[t] = struct{}{}
	return nil
}

// arrive makes m visible; q.mu is held.
func (q *queue) arrive(m *queueMessage) {
	m.visible = time.Now()
	q.ready = append(q.ready, m)
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// loop delivers batches: full ones at once, partial ones when their
// oldest message has waited maxBatchTimeout.
func (q *queue) loop() {
	defer close(q.looped)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		select {
		case <-q.stop:
			return
		case <-q.wake:
		case <-timer.C:
		}
		next := q.dispatch(time.Now())
		timer.Reset(next)
	}
}

// dispatch starts every batch that is due at now and returns how long
// until the next one may be.
func (q *queue) dispatch(now time.Time) time.Duration {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.ready) > 0 && !q.closed {
		n := min(len(q.ready), q.cfg.maxBatchSize)
		if wait := q.ready[0].visible.Add(q.cfg.maxBatchTimeout).Sub(now); n < q.cfg.maxBatchSize && wait > 0 {
			return wait
		}
		batch := append([]*queueMessage(nil), q.ready[:n]...)
		q.ready = q.ready[n:]
		q.running.Add(1)
		go q.invoke(batch)
	}
	return time.Hour
}

// invoke runs the consumer on one batch: a read per message, then a delete
// per message once the consumer succeeded, or a redelivery.
func (q *queue) invoke(batch []*queueMessage) {
	defer q.running.Done()
	bodies := make([]json.RawMessage, len(batch))
	for i, m := range batch {
		bodies[i] = m.body
	}
	q.meters.queueOperations.Add(int64(len(batch)))
	err := q.consume(context.Background(), bodies)
	if err == nil {
		q.meters.queueOperations.Add(int64(len(batch)))
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return // still pending in D1: re-armed at the next start
	}
	for _, m := range batch {
		m.attempts++
		if m.attempts > q.cfg.maxRetries {
			q.log.Printf("queue message %s dropped after %d deliveries: %v", m.body, m.attempts, err)
			continue
		}
		q.arrive(m)
	}
}

// close stops deliveries, drops what is held back (it is still pending in
// D1 and re-armed at the next start) and waits for running consumers to
// finish their batch.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	for t := range q.delayed {
		if t.Stop() {
			q.running.Done()
		}
	}
	q.delayed = nil
	q.mu.Unlock()
	close(q.stop)
	<-q.looped
	q.running.Wait()
}

// delaySeconds is d as a queue delay: whole seconds, rounded up so that a
// message never becomes visible before d has passed.
func delaySeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}
