package scenarios

import (
	"context"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	"versus/targets"
)

// FanoutScenario publishes to N subscribers, sweeping N (kind fanout). Per
// N: delivery (every delivery), last_delivery (per message, the slowest
// subscriber), missing.
type FanoutScenario struct {
	Base        `yaml:",inline"`
	Subscribers []int         `yaml:"subscribers"`
	Messages    int           `yaml:"messages"`
	Rate        float64       `yaml:"rate"`
	Timeout     time.Duration `yaml:"timeout"`
	PayloadSize int           `yaml:"payload_size"`
	Reconnect   bool          `yaml:"reconnect"`
}

func init() {
	register(Kind{
		Name:    "fanout",
		Summary: "one publish to N subscribers, N swept; metrics delivery, last_delivery per N",
		Fields: map[string]string{
			"subscribers":  "list of N, e.g. [1, 10, 100, 1000] (required; each <= suite max_subscribers)",
			"messages":     "messages per N (default 20)",
			"rate":         "messages per second (default 2)",
			"timeout":      "publish timeout, and the wait for deliveries after the last (default 10s)",
			"payload_size": "approximate payload bytes (default 100)",
			"reconnect":    "reconnect dropped subscribers (default false)",
		},
		New: func() Scenario {
			return &FanoutScenario{Messages: 20, Rate: 2, Timeout: 10 * time.Second, PayloadSize: 100}
		},
	})
}

// Validate checks the fields.
func (s *FanoutScenario) Validate() []FieldError {
	var errs []FieldError
	if len(s.Subscribers) == 0 {
		errs = append(errs, fieldErr("subscribers", "missing: list the N to sweep, e.g. [1, 10, 100]"))
	}
	for i, n := range s.Subscribers {
		if n < 1 {
			errs = append(errs, fieldErr(fmt.Sprintf("subscribers[%d]", i), "%d: must be at least 1", n))
		}
	}
	if s.Messages < 1 {
		errs = append(errs, fieldErr("messages", "%d: must be at least 1", s.Messages))
	}
	errs = append(errs, validateLoad(s.Rate, time.Second, 0, s.Timeout)...)
	if s.PayloadSize < 0 || s.PayloadSize > 60000 {
		errs = append(errs, fieldErr("payload_size", "%d: must be 0 to 60000", s.PayloadSize))
	}
	return errs
}

func (s *FanoutScenario) subscriberCount() (string, int) {
	m := 0
	for _, n := range s.Subscribers {
		m = max(m, n)
	}
	return "subscribers", m
}

// Needs lists the capabilities.
func (s *FanoutScenario) Needs() []string { return []string{targets.CapSubscribe} }

// Preflight has nothing beyond capabilities to check.
func (s *FanoutScenario) Preflight(targets.Discovery) (string, error) { return "", nil }

func (s *FanoutScenario) shorten() {
	s.Messages = min(s.Messages, 5)
	s.Rate = max(s.Rate, 5)
	var keep []int
	for _, n := range s.Subscribers {
		if n <= 100 {
			keep = append(keep, n)
		}
	}
	if len(keep) > 0 {
		s.Subscribers = keep
	}
}

// Run sweeps N upwards, growing one pool of subscribers as it goes.
func (s *FanoutScenario) Run(ctx context.Context, env *Env) error {
	ns := append([]int(nil), s.Subscribers...)
	sort.Ints(ns)
	channel := fmt.Sprintf("fan-%s-%d", newRunTag(), env.Trial)
	var current atomic.Pointer[tracker]
	p := newPool(env.Target, channel, s.Reconnect, func(sub int, m targets.Message) {
		if t := current.Load(); t != nil {
			t.deliver(sub, m)
		}
	})
	defer p.Close()
	pub := targets.PublisherFor(env.Target, env.Client)
	// Messages at the rate, no warm-up: each message is one observation.
	load := Load{Rate: s.Rate, Duration: time.Duration(float64(s.Messages) / s.Rate * float64(time.Second)), Timeout: s.Timeout}
	for _, n := range ns {
		env.Logf("%s on %s: %d subscribers", s.Name, env.TargetName, n)
		if err := p.Grow(ctx, n); err != nil {
			return err
		}
		dropped := p.Dropped()
		t := newTracker(env.Cell(map[string]string{"subscribers": fmt.Sprint(n)}), load)
		t.fanout, t.subscribers = true, int32(n)
		current.Store(t)
		var meters meterWindow
		meters.open(env, t.cell)
		err := env.Driver.Pace(ctx, load, func(ctx context.Context, h Hit) {
			t.publish(ctx, pub, channel, h, s.PayloadSize, s.Timeout)
		})
		if err != nil {
			meters.close()
			return err
		}
		t.finish(ctx, n, s.Timeout)
		meters.close()
		t.cell.Add("dropped", p.Dropped()-dropped)
		current.Store(nil)
	}
	return nil
}
