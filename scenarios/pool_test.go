package scenarios

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"versus/targets"
)

// fakeChannels is an instance with its own Subscriber whose subscriptions
// the test can drop.
type fakeChannels struct {
	mu    sync.Mutex
	subs  []*fakeSub
	opens atomic.Int64
}

func (f *fakeChannels) Discovery() targets.Discovery { return targets.Discovery{} }
func (f *fakeChannels) URL() string                  { return "http://127.0.0.1:1" }
func (f *fakeChannels) Close() error                 { return nil }

func (f *fakeChannels) Subscribe(ctx context.Context, channel string, deliver func(targets.Message)) (targets.Subscription, error) {
	f.opens.Add(1)
	s := &fakeSub{done: make(chan struct{})}
	f.mu.Lock()
	f.subs = append(f.subs, s)
	f.mu.Unlock()
	return s, nil
}

type fakeSub struct {
	once sync.Once
	done chan struct{}
	err  error
}

func (s *fakeSub) Done() <-chan struct{} { return s.done }
func (s *fakeSub) Err() error            { return s.err }
func (s *fakeSub) Close() error          { s.once.Do(func() { close(s.done) }); return nil }
func (s *fakeSub) drop() {
	s.once.Do(func() { s.err = errors.New("server went away"); close(s.done) })
}

func TestThePoolCountsDropsAndReconnectsWhenAsked(t *testing.T) {
	for _, reconnect := range []bool{false, true} {
		f := &fakeChannels{}
		p := newPool(f, "c", reconnect, func(int, targets.Message) {})
		if err := p.Grow(context.Background(), 10); err != nil {
			t.Fatal(err)
		}
		f.mu.Lock()
		f.subs[3].drop()
		f.subs[7].drop()
		f.mu.Unlock()
		deadline := time.Now().Add(2 * time.Second)
		for p.Dropped() < 2 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := p.Dropped(); got != 2 {
			t.Errorf("reconnect=%v: %d dropped, want 2", reconnect, got)
		}
		for reconnect && f.opens.Load() < 12 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		p.Close()
		want := int64(10)
		if reconnect {
			want = 12
		}
		if got := f.opens.Load(); got != want {
			t.Errorf("reconnect=%v: %d subscriptions opened, want %d", reconnect, got, want)
		}
		if p.Dropped() != 2 {
			t.Errorf("reconnect=%v: closing the pool counted as drops: %d", reconnect, p.Dropped())
		}
	}
}
