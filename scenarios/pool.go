package scenarios

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"versus/targets"
)

// pool holds many subscribers of one channel. It connects them at a
// bounded rate (a target's accept queue is not what a fan-out scenario
// measures), spreads them over loopback source addresses so 10,000 of them
// do not exhaust one address's ephemeral ports, counts drops, and
// reconnects dropped subscribers when asked.
type pool struct {
	channel   string
	deliver   func(sub int, m targets.Message)
	reconnect bool
	subs      []targets.Subscriber

	mu      sync.Mutex
	live    []targets.Subscription
	dropped atomic.Int64
	closed  atomic.Bool
	wg      sync.WaitGroup
}

// sourceAddrs spreads connections: each 127.0.0.x has its own ~28,000
// ephemeral ports towards one server port.
const sourceAddrs = 8

// connectRate bounds new connections per second.
const connectRate = 2000

func newPool(inst targets.Instance, channel string, reconnect bool, deliver func(int, targets.Message)) *pool {
	p := &pool{channel: channel, deliver: deliver, reconnect: reconnect}
	for i := 0; i < sourceAddrs; i++ {
		p.subs = append(p.subs, targets.SubscriberFor(inst, targets.FromLocalAddr(fmt.Sprintf("127.0.0.%d", i+1))))
	}
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
	p.live[i] = s
	p.mu.Unlock()
	if p.closed.Load() {
		// A reconnect that raced Close: it must not outlive the pool.
		return s.Close()
	}
	p.wg.Add(1)
	go p.watch(ctx, i, s)
	return nil
}

// watch counts a drop and reconnects when the scenario asks for it. A
// dropped subscriber never fails the run: what it missed is counted.
func (p *pool) watch(ctx context.Context, i int, s targets.Subscription) {
	defer p.wg.Done()
	<-s.Done()
	if p.closed.Load() || s.Err() == nil {
		return
	}
	p.dropped.Add(1)
	if !p.reconnect || ctx.Err() != nil {
		return
	}
	for attempt := 0; attempt < 5 && !p.closed.Load(); attempt++ {
		if err := p.open(ctx, i); err == nil || errors.Is(err, context.Canceled) {
			return
		}
		time.Sleep(time.Duration(100<<attempt) * time.Millisecond)
	}
}

// Dropped is how many subscriptions ended without being closed.
func (p *pool) Dropped() int64 { return p.dropped.Load() }

// Close closes every subscriber.
func (p *pool) Close() {
	p.closed.Store(true)
	p.mu.Lock()
	live := p.live
	p.mu.Unlock()
	for _, s := range live {
		if s != nil {
			s.Close()
		}
	}
	p.wg.Wait()
}
