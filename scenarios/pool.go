package scenarios

import (
	"context"
	"fmt"
	"sync"
	"time"

	"versus/targets"
)

// pool holds many subscribers of one channel. It connects them at a
// bounded rate (a target's accept queue is not what a fan-out scenario
// measures), spreads them over loopback source addresses so 10,000 of them
// do not exhaust one address's ephemeral ports, counts drops, and
// reconnects dropped subscribers when asked.
//
// Drops are found by one sweeper for the whole pool rather than a
// goroutine per subscription: at 10,000 subscribers a goroutine each is
// tens of megabytes of stacks in the harness, which would be charged to
// every subscriber the harness measures memory for.
type pool struct {
	channel   string
	deliver   func(sub int, m targets.Message)
	reconnect bool
	subs      []targets.Subscriber

	mu      sync.Mutex
	live    []targets.Subscription // nil: connecting, or dropped for good
	dropped int64
	closed  bool
	stop    chan struct{}
	swept   sync.WaitGroup
	redials sync.WaitGroup
}

// sourceAddrs spreads connections: each 127.0.0.x has its own ~28,000
// ephemeral ports towards one server port.
const sourceAddrs = 8

// connectRate bounds new connections per second.
const connectRate = 2000

// sweepEvery is how often the pool looks for dropped subscriptions.
const sweepEvery = 200 * time.Millisecond

func newPool(inst targets.Instance, channel string, reconnect bool, deliver func(int, targets.Message)) *pool {
	p := &pool{channel: channel, deliver: deliver, reconnect: reconnect, stop: make(chan struct{})}
	for i := 0; i < sourceAddrs; i++ {
		p.subs = append(p.subs, targets.SubscriberFor(inst, targets.FromLocalAddr(fmt.Sprintf("127.0.0.%d", i+1))))
	}
	p.swept.Add(1)
	go p.sweeper()
	return p
}

// Size is the number of subscribers opened so far.
func (p *pool) Size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.live)
}

// Grow opens subscribers until there are n, at most connectRate a second.
func (p *pool) Grow(ctx context.Context, n int) error {
	start := p.Size()
	began := time.Now()
	sem := make(chan struct{}, 64)
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	for i := start; i < n; i++ {
		if due := began.Add(time.Duration(i-start) * time.Second / connectRate); time.Until(due) > 0 {
			time.Sleep(time.Until(due))
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		case err := <-errc:
			wg.Wait()
			return err
		}
		p.mu.Lock()
		p.live = append(p.live, nil)
		p.mu.Unlock()
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := p.open(ctx, i); err != nil {
				select {
				case errc <- fmt.Errorf("subscriber %d of %d: %w", i+1, n, err):
				default:
				}
			}
		}(i)
	}
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

func (p *pool) open(ctx context.Context, i int) error {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := p.subs[i%len(p.subs)].Subscribe(dctx, p.channel, func(m targets.Message) { p.deliver(i, m) })
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		// A reconnect that raced Close: it must not outlive the pool.
		return s.Close()
	}
	p.live[i] = s
	return nil
}

func (p *pool) sweeper() {
	defer p.swept.Done()
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.sweep()
		}
	}
}

// sweep counts subscriptions the server ended and, when the scenario
// says so, reconnects them. A drop never fails the run: what the
// subscriber missed meanwhile is counted as missing.
func (p *pool) sweep() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, s := range p.live {
		if s == nil {
			continue
		}
		select {
		case <-s.Done():
		default:
			continue
		}
		if p.closed || s.Err() == nil {
			continue
		}
		p.dropped++
		p.live[i] = nil
		if p.reconnect {
			p.redials.Add(1)
			go p.redial(i)
		}
	}
}

func (p *pool) redial(i int) {
	defer p.redials.Done()
	for attempt := 0; attempt < 5; attempt++ {
		p.mu.Lock()
		closed := p.closed
		p.mu.Unlock()
		if closed || p.open(context.Background(), i) == nil {
			return
		}
		time.Sleep(time.Duration(100<<attempt) * time.Millisecond)
	}
}

// Dropped is how many subscriptions ended without being closed so far.
func (p *pool) Dropped() int64 {
	p.sweep()
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dropped
}

// Close closes every subscriber.
func (p *pool) Close() {
	p.mu.Lock()
	p.closed = true
	live := p.live
	p.mu.Unlock()
	close(p.stop)
	p.swept.Wait()
	p.redials.Wait()
	for _, s := range live {
		if s != nil {
			s.Close()
		}
	}
}
