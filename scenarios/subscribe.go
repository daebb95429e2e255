package scenarios

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"versus/results"
	"versus/targets"
)

// SubscribeScenario holds subscribers on a channel while a publisher sends
// at a rate (kind subscribe): metrics propagation (delivery - publish send,
// one monotonic clock) and ack (publish answer, from its intended time).
type SubscribeScenario struct {
	Base        `yaml:",inline"`
	Subscribers int           `yaml:"subscribers"`
	Rate        float64       `yaml:"rate"`
	Duration    time.Duration `yaml:"duration"`
	Warmup      time.Duration `yaml:"warmup"`
	Timeout     time.Duration `yaml:"timeout"`
	PayloadSize int           `yaml:"payload_size"`
	Reconnect   bool          `yaml:"reconnect"`
}

func init() {
	register(Kind{
		Name:    "subscribe",
		Summary: "S subscribers on a channel, a publisher at a rate; metrics propagation, ack",
		Fields: map[string]string{
			"subscribers":  "subscribers on the channel (required, <= suite max_subscribers)",
			"rate":         "messages per second (required)",
			"duration":     "measured phase (default 5s)",
			"warmup":       "unmeasured phase (default 1s)",
			"timeout":      "publish timeout, and how long to wait for deliveries after the last (default 5s)",
			"payload_size": "approximate payload bytes (default 100)",
			"reconnect":    "reconnect dropped subscribers (default false: a drop is counted, deliveries it misses are missing)",
		},
		New: func() Scenario {
			return &SubscribeScenario{Duration: 5 * time.Second, Warmup: time.Second, Timeout: 5 * time.Second, PayloadSize: 100}
		},
	})
}

// Validate checks the fields.
func (s *SubscribeScenario) Validate() []FieldError {
	errs := validateLoad(s.Rate, s.Duration, s.Warmup, s.Timeout)
	if s.Subscribers < 1 {
		errs = append(errs, fieldErr("subscribers", "%d: must be at least 1", s.Subscribers))
	}
	if s.PayloadSize < 0 || s.PayloadSize > 60000 {
		errs = append(errs, fieldErr("payload_size", "%d: must be 0 to 60000", s.PayloadSize))
	}
	return errs
}

func (s *SubscribeScenario) subscriberCount() (string, int) { return "subscribers", s.Subscribers }

// Needs lists the capabilities.
func (s *SubscribeScenario) Needs() []string { return []string{targets.CapSubscribe} }

// Preflight has nothing beyond capabilities to check.
func (s *SubscribeScenario) Preflight(targets.Discovery) (string, error) { return "", nil }

func (s *SubscribeScenario) shorten() { quickPhase(&s.Duration, &s.Warmup) }

// published is what a subscriber needs to time a delivery.
type published struct {
	sent   atomic.Int64 // unix ns of the publish send; 0 = not yet
	count  atomic.Int32 // deliveries so far
	warmup bool
}

// pubPayload identifies a message in its payload.
type pubPayload struct {
	Run string `json:"run"`
	N   uint64 `json:"n"`
	Pad string `json:"pad,omitempty"`
}

// tracker times deliveries of one run of messages to many subscribers.
type tracker struct {
	run  string
	msgs []published
	cell *results.Cell
	// fanout: also time each message's slowest subscriber (last_delivery)
	// once all subscribers of the phase have it.
	fanout      bool
	subscribers int32
	mu          sync.Mutex
	perSub      []subState
}

func newTracker(cell *results.Cell, load Load) *tracker {
	zero(cell, "published", "delivered", "missing", "out_of_order", "dropped")
	t := &tracker{run: newRunTag(), msgs: make([]published, load.Hits()), cell: cell}
	warm := load.WarmupHits()
	for i := range t.msgs {
		t.msgs[i].warmup = uint64(i) < warm
	}
	return t
}

type subState struct {
	lastSeq   int64
	delivered int64
}

// newRunTag marks one run's messages, so a shared channel's others are
// ignored.
func newRunTag() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// deliver is the pool's callback: time the message, check its order.
func (t *tracker) deliver(sub int, m targets.Message) {
	var p pubPayload
	if json.Unmarshal(m.Payload, &p) != nil || p.Run != t.run || p.N >= uint64(len(t.msgs)) {
		return // another run's message on a shared channel
	}
	msg := &t.msgs[p.N]
	sent := msg.sent.Load()
	t.mu.Lock()
	for len(t.perSub) <= sub {
		t.perSub = append(t.perSub, subState{lastSeq: -1})
	}
	st := &t.perSub[sub]
	outOfOrder := m.Seq <= st.lastSeq
	if !outOfOrder {
		st.lastSeq = m.Seq
	}
	if !msg.warmup {
		st.delivered++
	}
	t.mu.Unlock()
	if msg.warmup || sent == 0 {
		return
	}
	c := t.cell
	if outOfOrder {
		c.Add("out_of_order", 1)
	}
	c.Add("delivered", 1)
	sentAt := time.Unix(0, sent)
	if !t.fanout {
		c.Observe("propagation", sentAt, m.Received.Sub(sentAt))
		return
	}
	c.Observe("delivery", sentAt, m.Received.Sub(sentAt))
	if msg.count.Add(1) == t.subscribers {
		c.Observe("last_delivery", sentAt, m.Received.Sub(sentAt))
	}
}

// publish is one timed publish of message h.N: ack from its intended
// time; an uncommitted message owes no delivery.
func (t *tracker) publish(ctx context.Context, pub targets.Publisher, channel string, h Hit, size int, timeout time.Duration) {
	payload := publishPayload(t.run, h.N, size)
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	sent := time.Now()
	t.msgs[h.N].sent.Store(sent.UnixNano())
	var err error
	var acked, visible time.Time
	if tp, ok := pub.(targets.TimedPublisher); ok {
		_, acked, visible, err = tp.PublishTimed(pctx, channel, payload)
	} else {
		_, err = pub.Publish(pctx, channel, payload)
		acked = time.Now()
	}
	if h.Warmup {
		return
	}
	if err != nil {
		t.msgs[h.N].sent.Store(0)
		t.cell.Error(publishErrClass(err))
		return
	}
	t.cell.Add("published", 1)
	t.cell.Observe("ack", h.Intended, acked.Sub(h.Intended))
	if !visible.IsZero() {
		// When the write became visible to subscribers, apart from when
		// it was acknowledged; clocked like ack, from the intended time.
		t.cell.Observe("visible", h.Intended, visible.Sub(h.Intended))
	}
}

// finish waits for what is owed, then counts what is missing.
func (t *tracker) finish(ctx context.Context, subscribers int, timeout time.Duration) {
	owed := func() int64 { return t.cell.Counter("published") * int64(subscribers) }
	waitDelivered(ctx, timeout, func() bool { return t.cell.Counter("delivered") >= owed() })
	t.cell.Add("missing", max(0, owed()-t.cell.Counter("delivered")))
}

// publishPayload builds message n's payload.
func publishPayload(run string, n uint64, size int) json.RawMessage {
	b, _ := json.Marshal(pubPayload{Run: run, N: n, Pad: strings.Repeat("p", size)})
	return b
}

// Run opens the subscribers, publishes, waits for deliveries, counts.
func (s *SubscribeScenario) Run(ctx context.Context, env *Env) error {
	load := Load{Rate: s.Rate, Duration: s.Duration, Warmup: s.Warmup, Timeout: s.Timeout}
	t := newTracker(env.Cell(map[string]string{"subscribers": fmt.Sprint(s.Subscribers)}), load)
	t.cell.SetTimelineStep(timelineStep(s.Warmup + s.Duration))
	channel := fmt.Sprintf("sub-%s-%d", t.run, env.Trial)
	p := newPool(env.Target, channel, s.Reconnect, t.deliver)
	defer p.Close()
	env.Logf("%s on %s: connecting %d subscribers", s.Name, env.TargetName, s.Subscribers)
	if err := p.Grow(ctx, s.Subscribers); err != nil {
		return err
	}
	pub := targets.PublisherFor(env.Target, env.Client)
	var meters meterWindow
	defer meters.close()
	load.OnMeasured = func() { meters.open(env, t.cell) }
	err := env.Driver.Pace(ctx, load, func(ctx context.Context, h Hit) {
		t.publish(ctx, pub, channel, h, s.PayloadSize, s.Timeout)
	})
	if err != nil {
		return err
	}
	t.finish(ctx, s.Subscribers, s.Timeout)
	meters.close()
	t.cell.Add("dropped", p.Dropped())
	return nil
}

// waitDelivered polls done until it holds or timeout passes.
func waitDelivered(ctx context.Context, timeout time.Duration, done func() bool) {
	deadline := time.Now().Add(timeout)
	for !done() && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
}

var statusInError = regexp.MustCompile(`\b([1-5])\d\d [A-Z]`)

// publishErrClass sorts a publish error: an HTTP status in its text, or a
// transport failure.
func publishErrClass(err error) string {
	if m := statusInError.FindStringSubmatch(err.Error()); m != nil {
		return "status_" + m[1] + "xx"
	}
	return transportClass(err.Error())
}
