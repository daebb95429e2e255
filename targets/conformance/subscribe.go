package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"versus/targets"
)

// published is how many messages the subscribe checks publish.
const published = 3

// quiet is how long the subscriber listens after the last expected frame
// to catch one too many.
const quiet = 300 * time.Millisecond

// subscribe checks a channel end to end: a subscriber on a fresh channel
// receives exactly the messages published after it joined, in order, with
// the seq and committed_at their publishes were acknowledged with.
func (v *verifier) subscribe(ctx context.Context, r *Report) {
	s := v.section(ctx, r, targets.CapSubscribe)
	const join, publish = "GET /channels/{name}/subscribe", "POST /channels/{name}/messages"
	channel := v.id("channel")
	if !s.declared {
		path := "/channels/" + url.PathEscape(v.id("probe")) + "/"
		v.undeclared(ctx, s,
			probe{route: publish, method: http.MethodPost, path: path + "messages", body: []byte(`{"payload":`)},
			probe{route: join, method: http.MethodGet, path: path + "subscribe"},
		)
		return
	}
	var frames collector
	var sub targets.Subscription
	s.check(join, "upgrades to a WebSocket on a fresh channel", func() error {
		dial, cancel := context.WithTimeout(ctx, v.opts.Timeout)
		defer cancel()
		var err error
		sub, err = targets.SubscriberFor(v.inst).Subscribe(dial, channel, frames.add)
		return err
	})
	if sub != nil {
		defer sub.Close()
	}

	payloads := make([]json.RawMessage, published)
	for i := range payloads {
		payloads[i] = json.RawMessage(fmt.Sprintf(`{"n":%d,"run":%q,"text":"message %d"}`, i+1, v.run, i+1))
	}
	var acks []targets.Ack
	s.check(publish, fmt.Sprintf("acknowledges %d messages with seq rising by one and a committed_at", published), func() error {
		if sub == nil {
			return after("the subscription")
		}
		pub := targets.PublisherFor(v.inst, v.opts.Client)
		for i, p := range payloads {
			call, cancel := context.WithTimeout(ctx, v.opts.Timeout)
			ack, err := pub.Publish(call, channel, p)
			cancel()
			if err != nil {
				return err
			}
			if ack.CommittedAt <= 0 {
				return fmt.Errorf("message %d: committed_at is %v, want epoch milliseconds", i+1, ack.CommittedAt)
			}
			if i > 0 {
				prev := acks[i-1]
				if ack.Seq != prev.Seq+1 {
					return fmt.Errorf("message %d: seq %d follows %d; seq must rise by one", i+1, ack.Seq, prev.Seq)
				}
				if ack.CommittedAt < prev.CommittedAt {
					return fmt.Errorf("message %d: committed_at %.3f is before the previous message's %.3f", i+1, ack.CommittedAt, prev.CommittedAt)
				}
			}
			acks = append(acks, ack)
		}
		return nil
	})
	s.check(join, fmt.Sprintf("delivers exactly those %d frames, in order, with their seq, payload and committed_at", published), func() error {
		if len(acks) != published {
			return after("the publishes")
		}
		got := frames.await(published, time.Now().Add(v.opts.Timeout), sub.Done())
		if len(got) == published {
			time.Sleep(quiet)
			got = frames.all()
		}
		for i, m := range got {
			if i >= published {
				return fmt.Errorf("%d frames arrived; frame %d (seq %d, payload %s) was never published", len(got), i+1, m.Seq, snippet(m.Payload))
			}
			want := acks[i]
			switch {
			case m.Channel != channel:
				return fmt.Errorf("frame %d names channel %q, want %q", i+1, m.Channel, channel)
			case m.Seq != want.Seq:
				return fmt.Errorf("frame %d has seq %d; its publish was acknowledged with seq %d", i+1, m.Seq, want.Seq)
			case !sameJSON(m.Payload, payloads[i]):
				return fmt.Errorf("frame %d has payload %s, want %s", i+1, snippet(m.Payload), payloads[i])
			case m.CommittedAt <= 0:
				return fmt.Errorf("frame %d has no committed_at", i+1)
			}
		}
		if len(got) < published {
			if err := sub.Err(); err != nil {
				return fmt.Errorf("%d of %d frames arrived: %w", len(got), published, err)
			}
			return fmt.Errorf("%d of %d frames arrived within %v", len(got), published, v.opts.Timeout)
		}
		return nil
	})
}

// collector keeps the frames a subscription delivers.
type collector struct {
	mu      sync.Mutex
	frames  []targets.Message
	changed chan struct{}
}

func (c *collector) add(m targets.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frames = append(c.frames, m)
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
}

func (c *collector) all() []targets.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]targets.Message(nil), c.frames...)
}

// await waits until n frames arrived, the deadline passed or the
// subscription ended, and returns the frames so far.
func (c *collector) await(n int, deadline time.Time, done <-chan struct{}) []targets.Message {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		c.mu.Lock()
		if len(c.frames) >= n {
			c.mu.Unlock()
			return c.all()
		}
		if c.changed == nil {
			c.changed = make(chan struct{})
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-done:
			return c.all()
		case <-timer.C:
			return c.all()
		}
	}
}
