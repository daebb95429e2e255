package edge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"

	"versus/targets"
)

// socketQueue is how many frames a subscriber may have waiting before the
// relay drops it as too slow: one slow reader must not hold back a channel
// or grow memory without bound.
const socketQueue = 1024

// socketWriteTimeout bounds one frame's write to a subscriber.
const socketWriteTimeout = 10 * time.Second

var errShuttingDown = errors.New("edge target shutting down")

// relays is the Durable Object namespace of channel relays: one actor per
// channel, created on first use, the single owner of the channel's
// sequence numbers, its stored messages and its WebSockets.
type relays struct {
	store  *database
	meters *meters

	mu      sync.Mutex
	actors  map[string]*relay
	closed  bool
	done    chan struct{}
	serving sync.WaitGroup // one per open WebSocket
}

// relay is one channel's actor.
type relay struct {
	channel string
	// gate admits one request at a time, as a Durable Object's input gate
	// does: seq order, storage order and broadcast order are one order.
	gate    sync.Mutex
	loaded  bool
	seq     int64 // last committed seq, once loaded
	sockets map[*socket]struct{}
}

// socket is one subscriber's queue of frames.
type socket struct {
	frames   chan []byte
	slow     chan struct{} // closed when the queue overflowed
	slowOnce sync.Once
}

func newRelays(store *database, m *meters) *relays {
	return &relays{store: store, meters: m, actors: map[string]*relay{}, done: make(chan struct{})}
}

func (n *relays) actor(channel string) (*relay, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, errShuttingDown
	}
	r := n.actors[channel]
	if r == nil {
		r = &relay{channel: channel, sockets: map[*socket]struct{}{}}
		n.actors[channel] = r
	}
	return r, nil
}

// publish stores payload as the channel's next message, and only once the
// commit is durable hands the frame to every subscriber.
func (n *relays) publish(channel string, payload json.RawMessage) (targets.Ack, error) {
	n.meters.doRequests.Add(1)
	r, err := n.actor(channel)
	if err != nil {
		return targets.Ack{}, err
	}
	r.gate.Lock()
	defer r.gate.Unlock()
	if !r.loaded {
		res, err := n.store.batch([]statement{{
			SQL:    `SELECT COALESCE(MAX(seq), 0) AS seq FROM messages WHERE channel = ?1`,
			Params: []any{channel},
		}})
		if err != nil {
			return targets.Ack{}, fmt.Errorf("relay %s: load the last seq: %w", channel, err)
		}
		r.seq, r.loaded = res[0].Rows[0].int("seq"), true
	}
	m := targets.Message{Channel: channel, Seq: r.seq + 1, Payload: payload, CommittedAt: epochMS(time.Now())}
	if _, err := n.store.batch([]statement{{
		SQL:    `INSERT INTO messages (channel, seq, payload, committed_at) VALUES (?1, ?2, ?3, ?4)`,
		Params: []any{channel, m.Seq, string(payload), m.CommittedAt},
	}}); err != nil {
		return targets.Ack{}, fmt.Errorf("relay %s: store message %d: %w", channel, m.Seq, err)
	}
	r.seq = m.Seq
	frame, err := json.Marshal(m)
	if err != nil {
		return targets.Ack{}, fmt.Errorf("relay %s: encode message %d: %w", channel, m.Seq, err)
	}
	for s := range r.sockets {
		s.push(frame)
	}
	return targets.Ack{Seq: m.Seq, CommittedAt: m.CommittedAt}, nil
}

func (s *socket) push(frame []byte) {
	select {
	case s.frames <- frame:
	default:
		s.slowOnce.Do(func() { close(s.slow) })
	}
}

// attach registers s with the channel's actor; the caller must call
// n.serving.Done once the socket is detached.
func (n *relays) attach(channel string, s *socket) (*relay, error) {
	r, err := n.actor(channel)
	if err != nil {
		return nil, err
	}
	r.gate.Lock()
	defer r.gate.Unlock()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, errShuttingDown
	}
	r.sockets[s] = struct{}{}
	n.serving.Add(1)
	return r, nil
}

func (r *relay) detach(s *socket) {
	r.gate.Lock()
	defer r.gate.Unlock()
	delete(r.sockets, s)
}

// serveSubscribe accepts a WebSocket on the channel's actor. The socket is
// registered before the upgrade answer leaves, so every message committed
// after the client sees the upgrade reaches it. Messages the client sends
// are counted (they bill as Durable Object requests) and otherwise ignored.
func (n *relays) serveSubscribe(w http.ResponseWriter, req *http.Request, channel string) {
	n.meters.doRequests.Add(1)
	s := &socket{frames: make(chan []byte, socketQueue), slow: make(chan struct{})}
	r, err := n.attach(channel, s)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer n.serving.Done()
	defer r.detach(s)
	// The Worker in front already checked the request; the Origin it
	// forwards names the client's host, not this one.
	c, err := websocket.Accept(w, req, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return // Accept has answered the client with the reason.
	}
	peerGone := make(chan struct{})
	go func() {
		defer close(peerGone)
		for {
			if _, _, err := c.Read(context.Background()); err != nil {
				return
			}
			n.meters.doWSMessagesIn.Add(1)
		}
	}()
	defer func() { <-peerGone }()
	for {
		select {
		case f := <-s.frames:
			if err := write(c, f); err != nil {
				c.CloseNow()
				return
			}
		case <-s.slow:
			c.Close(websocket.StatusPolicyViolation, "subscriber too slow: over "+strconv.Itoa(socketQueue)+" messages behind")
			return
		case <-peerGone:
			c.CloseNow()
			return
		case <-n.done:
			c.Close(websocket.StatusGoingAway, "server shutting down")
			return
		}
	}
}

func write(c *websocket.Conn, frame []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), socketWriteTimeout)
	defer cancel()
	return c.Write(ctx, websocket.MessageText, frame)
}

// close disconnects every subscriber (close code 1001), waits for their
// connections to end, and refuses new requests.
func (n *relays) close() {
	n.mu.Lock()
	if !n.closed {
		n.closed = true
		close(n.done)
	}
	n.mu.Unlock()
	n.serving.Wait()
}
