package contractserver

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"versus/targets"
)

// Hub defaults.
const (
	DefaultQueueLimit   = 1024
	DefaultPingInterval = 15 * time.Second
	writeTimeout        = 10 * time.Second
)

// HubOption configures NewHub.
type HubOption func(*Hub)

// QueueLimit sets how many undelivered messages a subscriber may have
// before it is dropped as too slow.
func QueueLimit(n int) HubOption { return func(h *Hub) { h.queueLimit = n } }

// PingInterval sets how often each subscriber is pinged.
func PingInterval(d time.Duration) HubOption { return func(h *Hub) { h.pingInterval = d } }

// Hub fans committed messages out to the contract v1 WebSocket subscribers
// of each channel. Publish never blocks on a subscriber: each has its own
// bounded queue drained by the goroutine serving its connection, and one
// that falls QueueLimit messages behind is dropped (and counted) so a slow
// reader cannot hold back the others or grow memory without bound.
//
// Per subscriber it costs the goroutine of its HTTP handler (which writes),
// the WebSocket read goroutine (which answers pings and sees the close),
// and a small queue allocated only while messages wait.
type Hub struct {
	queueLimit   int
	pingInterval time.Duration

	mu       sync.RWMutex
	channels map[string]map[*subscriber]struct{}
	closed   bool
	done     chan struct{}
	serving  sync.WaitGroup
	dropped  atomic.Int64
}

// subscriber is one connection's queue.
type subscriber struct {
	mu      sync.Mutex
	pending [][]byte
	slow    bool
	wake    chan struct{} // capacity 1: "pending changed"
	// writes is the context of every write; cancelling it aborts a write
	// blocked on a reader that stopped reading.
	writes context.Context
	cancel context.CancelFunc
}

// NewHub returns an empty hub.
func NewHub(opts ...HubOption) *Hub {
	h := &Hub{
		queueLimit:   DefaultQueueLimit,
		pingInterval: DefaultPingInterval,
		channels:     map[string]map[*subscriber]struct{}{},
		done:         make(chan struct{}),
	}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Publish queues m for every current subscriber of m.Channel and returns
// how many it was queued for. Callers publish one channel's messages in
// seq order (after their commit, from one goroutine or under their writer
// lock): the hub keeps the order it is given.
func (h *Hub) Publish(m targets.Message) int {
	frame, err := json.Marshal(m)
	if err != nil {
		// Payload is a RawMessage the backend already stored as valid JSON.
		panic("contractserver: encoding a channel message: " + err.Error())
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for s := range h.channels[m.Channel] {
		queued, dropped := s.push(frame, h.queueLimit)
		if queued {
			n++
		}
		if dropped {
			h.dropped.Add(1)
		}
	}
	return n
}

// push queues frame, or drops the subscriber when its queue is full: it
// marks it slow and aborts its pending write so its connection closes now.
func (s *subscriber) push(frame []byte, limit int) (queued, dropped bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.slow {
		return false, false
	}
	if len(s.pending) >= limit {
		s.slow, s.pending = true, nil
		s.cancel()
		dropped = true
	} else {
		s.pending = append(s.pending, frame)
		queued = true
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return queued, dropped
}

// take empties the queue.
func (s *subscriber) take() (frames [][]byte, slow bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	frames, s.pending = s.pending, nil
	return frames, s.slow
}

// Subscribers is the number of live subscribers of channel.
func (h *Hub) Subscribers(channel string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.channels[channel])
}

// Dropped is how many subscribers were dropped for being too slow.
func (h *Hub) Dropped() int64 { return h.dropped.Load() }

// ServeSubscribe upgrades r to a WebSocket subscribed to channel and serves
// it until either side closes. The subscriber is registered before the
// upgrade answer is sent, so every message committed after the client sees
// the upgrade reaches it.
func (h *Hub) ServeSubscribe(w http.ResponseWriter, r *http.Request, channel string) {
	s := &subscriber{wake: make(chan struct{}, 1)}
	s.writes, s.cancel = context.WithCancel(context.Background())
	defer s.cancel()
	if !h.add(channel, s) {
		writeError(w, http.StatusServiceUnavailable, "server shutting down")
		return
	}
	defer h.serving.Done()
	defer h.remove(channel, s)
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered the client with the reason.
	}
	peerGone := c.CloseRead(context.Background())
	ping := time.NewTicker(h.pingInterval)
	defer ping.Stop()
	for {
		select {
		case <-s.wake:
			frames, slow := s.take()
			if slow {
				c.Close(websocket.StatusPolicyViolation, "subscriber too slow: over "+strconv.Itoa(h.queueLimit)+" messages behind")
				return
			}
			for _, f := range frames {
				if write(s.writes, c, f) != nil {
					c.CloseNow()
					return
				}
			}
		case <-ping.C:
			ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
			err := c.Ping(ctx)
			cancel()
			if err != nil {
				c.CloseNow()
				return
			}
		case <-peerGone.Done():
			c.CloseNow()
			return
		case <-h.done:
			c.Close(websocket.StatusGoingAway, "server shutting down")
			return
		}
	}
}

func write(ctx context.Context, c *websocket.Conn, frame []byte) error {
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	return c.Write(ctx, websocket.MessageText, frame)
}

func (h *Hub) add(channel string, s *subscriber) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	subs := h.channels[channel]
	if subs == nil {
		subs = map[*subscriber]struct{}{}
		h.channels[channel] = subs
	}
	subs[s] = struct{}{}
	h.serving.Add(1)
	return true
}

func (h *Hub) remove(channel string, s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.channels[channel], s)
	if len(h.channels[channel]) == 0 {
		delete(h.channels, channel)
	}
}

// Close disconnects every subscriber (close code 1001) and waits until
// their connections are done. It is safe to call more than once.
func (h *Hub) Close() {
	h.mu.Lock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
	h.mu.Unlock()
	h.serving.Wait()
}
