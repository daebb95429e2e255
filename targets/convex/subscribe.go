package convex

import (
	"context"
	"errors"
	"fmt"

	"versus/targets"
)

// Subscribe opens one sync connection holding one query,
// channels:latest({channel}), and turns its results into messages: the
// first result marks where the subscription starts (what is already there
// was committed before it), and each later one delivers, in seq order, the
// messages above the last seq delivered. Received is when the frame that
// carried the result was read. After a reconnect the re-added query's
// result delivers what was committed meanwhile, as far as the query's
// window reaches; anything beyond shows up as missing seqs.
//
// Subscribers connect without credentials, as the browsers they stand for
// would.
func (in *Instance) Subscribe(ctx context.Context, channel string, deliver func(targets.Message)) (targets.Subscription, error) {
	if err := checkChannel(channel); err != nil {
		return nil, err
	}
	in.mu.Lock()
	closed := in.closed
	in.mu.Unlock()
	if closed {
		return nil, errInstanceClosed
	}
	c, err := Dial(ctx, in.s.url, in.subscriberOptions...)
	if err != nil {
		return nil, fmt.Errorf("convex: subscribing to %q: %w", channel, err)
	}
	sub := &subscription{client: c, instance: in, channel: channel, deliver: deliver}
	if err := c.Subscribe(ctx, latestFunction, latestArgs(channel, in.s.latestLimit), sub.onResult); err != nil {
		c.Close()
		var fn *FunctionError
		if errors.As(err, &fn) && missingFunction(fn) {
			return nil, fmt.Errorf("convex: subscribing to %q: the deployment has no %s: deploy targets/convex/app with `npx convex deploy`: %w", channel, latestFunction, err)
		}
		return nil, fmt.Errorf("convex: subscribing to %q: %w", channel, err)
	}
	in.mu.Lock()
	if in.closed {
		in.mu.Unlock()
		c.Close()
		return nil, errInstanceClosed
	}
	in.subs[sub] = struct{}{}
	in.mu.Unlock()
	return sub, nil
}

// subscription is one subscriber: a Client with one query.
type subscription struct {
	client   *Client
	instance *Instance
	channel  string
	deliver  func(targets.Message)

	// Owned by the client's goroutine, which calls onResult.
	primed  bool
	lastSeq int64
}

// onResult diffs a new channels:latest value against the last seq seen.
func (s *subscription) onResult(r QueryResult) {
	if r.Err != nil {
		if s.primed { // the first failure is Subscribe's to report
			s.client.stop(fmt.Errorf("convex: subscription to %q: %w", s.channel, r.Err))
		}
		return
	}
	msgs, err := decodeMessages(r.Value)
	if err != nil {
		s.client.stop(fmt.Errorf("convex: subscription to %q: %w", s.channel, err))
		return
	}
	if !s.primed {
		s.primed = true
		if n := len(msgs); n > 0 {
			s.lastSeq = msgs[n-1].Seq
		}
		return
	}
	for _, m := range msgs {
		if m.Seq <= s.lastSeq {
			continue
		}
		m.Received = r.Received
		s.lastSeq = m.Seq
		s.deliver(m)
	}
}

// Done is closed when the subscription ends: Close, or a failure it could
// not recover from (reconnecting for too long, FatalError, a query error).
func (s *subscription) Done() <-chan struct{} { return s.client.Done() }

// Err says why the subscription ended; nil while live and after Close.
func (s *subscription) Err() error { return s.client.Err() }

// Close ends the subscription and its connection.
func (s *subscription) Close() error {
	s.instance.mu.Lock()
	delete(s.instance.subs, s)
	s.instance.mu.Unlock()
	return s.client.Close()
}
