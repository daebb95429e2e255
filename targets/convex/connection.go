package convex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/coder/websocket"
)

// connection is one WebSocket of a Client. Its outbound queue is filled
// under Client.mu, in protocol order, and drained by its own writer, so no
// caller ever blocks on the network while holding the lock.
type connection struct {
	ws     *websocket.Conn
	ctx    context.Context
	cancel context.CancelFunc

	// Guarded by Client.mu.
	out             [][]byte
	wake            chan struct{}
	version         stateVersion // the endVersion of the last Transition
	querySetVersion int          // the newVersion of the last ModifyQuerySet

	chunks chunkAssembler // reader only
}

// writeTimeout bounds one frame write; a peer that stops reading for that
// long is treated as gone.
const writeTimeout = 15 * time.Second

// enqueueLocked appends a message to the connection's outbound queue.
func (c *Client) enqueueLocked(conn *connection, msg any) {
	b, err := json.Marshal(msg)
	if err != nil {
		// Every message is built from our own structs; failing to encode
		// one is a bug, and a half-sent protocol would be worse.
		panic(fmt.Sprintf("convex sync: encoding %T: %v", msg, err))
	}
	conn.out = append(conn.out, b)
	select {
	case conn.wake <- struct{}{}:
	default:
	}
}

// writeLoop sends queued frames in order until the connection ends.
func (c *Client) writeLoop(conn *connection) {
	for {
		c.mu.Lock()
		batch := conn.out
		conn.out = nil
		c.mu.Unlock()
		for _, frame := range batch {
			ctx, cancel := context.WithTimeout(conn.ctx, writeTimeout)
			err := conn.ws.Write(ctx, websocket.MessageText, frame)
			cancel()
			if err != nil {
				// The reader sees the closed socket and reconnects.
				conn.ws.CloseNow()
				return
			}
		}
		select {
		case <-conn.wake:
		case <-conn.ctx.Done():
			return
		}
	}
}

// shutdown ends the connection: politely (a close frame) when the client
// is closed by its user, abruptly otherwise.
func (conn *connection) shutdown(polite bool) {
	if polite {
		// Close waits for the peer's close frame; that must not hold up
		// the caller, which may be a result callback on the reader.
		go func() {
			conn.ws.Close(websocket.StatusNormalClosure, "client closed")
			conn.cancel()
		}()
		return
	}
	conn.cancel()
	conn.ws.CloseNow()
}

// connect dials a WebSocket and queues the session's opening: Connect, the
// admin Authenticate, the whole query set as one ModifyQuerySet from
// version 0, then every mutation still waiting for its response (the server
// deduplicates them by session and request id).
func (c *Client) connect(ctx context.Context) (*connection, error) {
	dialCtx, cancelDial := context.WithTimeout(ctx, c.opts.dialTimeout)
	defer cancelDial()
	ws, resp, err := websocket.Dial(dialCtx, c.syncURL, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("convex sync: %s answered HTTP %d instead of a WebSocket upgrade: %w", c.syncURL, resp.StatusCode, err)
		}
		return nil, fmt.Errorf("convex sync: dialing %s: %w", c.syncURL, err)
	}
	ws.SetReadLimit(maxFrameBytes)
	connCtx, cancel := context.WithCancel(context.Background())
	conn := &connection{ws: ws, ctx: connCtx, cancel: cancel, wake: make(chan struct{}, 1)}

	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		cancel()
		ws.CloseNow()
		return nil, ErrClosed
	}
	connect := connectMessage{
		Type:            "Connect",
		SessionID:       c.sessionID,
		ConnectionCount: c.connectionCount,
		LastCloseReason: c.lastCloseReason,
		ClientTS:        time.Now().UnixMilli(),
	}
	if c.observed {
		ts := c.maxObserved
		connect.MaxObservedTimestamp = &ts
	}
	c.enqueueLocked(conn, connect)
	c.connectionCount++
	c.lastCloseReason = nil
	if c.opts.adminKey != "" {
		c.enqueueLocked(conn, authenticateMessage{Type: "Authenticate", TokenType: "Admin", Value: c.opts.adminKey, BaseVersion: 0})
	}
	adds := make([]addQuery, 0, len(c.queries))
	for _, q := range c.queries {
		adds = append(adds, q.add())
	}
	sort.Slice(adds, func(i, j int) bool { return adds[i].QueryID < adds[j].QueryID })
	c.enqueueLocked(conn, modifyQuerySetMessage{Type: "ModifyQuerySet", BaseVersion: 0, NewVersion: 1, Modifications: adds})
	conn.querySetVersion = 1
	pending := make([]*Mutation, 0, len(c.mutations))
	for _, m := range c.mutations {
		if !m.responded {
			pending = append(pending, m)
		}
	}
	sort.Slice(pending, func(i, j int) bool { return pending[i].requestID < pending[j].requestID })
	for _, m := range pending {
		c.enqueueLocked(conn, m.message)
	}
	c.conn = conn
	c.mu.Unlock()

	go c.writeLoop(conn)
	return conn, nil
}

// run serves connections until the client stops, reconnecting after drops.
func (c *Client) run(conn *connection) {
	for {
		cause := c.readLoop(conn)
		c.mu.Lock()
		if c.conn == conn {
			c.conn = nil
		}
		stopped := c.closed
		if !stopped {
			reason := cause.Error()
			c.lastCloseReason = &reason
		}
		c.mu.Unlock()
		if stopped {
			return // stop shut the connection down already
		}
		conn.shutdown(false)
		c.logf("connection to %s lost: %v; reconnecting", c.syncURL, cause)
		if conn = c.reconnect(cause); conn == nil {
			return
		}
	}
}

// reconnect dials again with jittered exponential backoff until it works,
// the client is closed, or the reconnect timeout passes.
func (c *Client) reconnect(cause error) *connection {
	lost := time.Now()
	for {
		wait := c.backoff()
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-c.done:
			timer.Stop()
			return nil
		}
		if time.Since(lost) > c.opts.reconnectTimeout {
			c.stop(fmt.Errorf("convex sync: no connection to %s for %v (last failure: %w); check the deployment and the network, then rerun", c.syncURL, c.opts.reconnectTimeout, cause))
			return nil
		}
		conn, err := c.connect(context.Background())
		if err == nil {
			c.logf("reconnected to %s", c.syncURL)
			return conn
		}
		if errors.Is(err, ErrClosed) {
			return nil
		}
		cause = err
		c.logf("reconnect failed: %v", err)
	}
}

// backoff is the next wait: initial * 2^retries, capped, ±50% jitter so
// many clients dropped at once do not return at once.
func (c *Client) backoff() time.Duration {
	base := c.opts.initialBackoff << min(c.retries, 30)
	if base > c.opts.maxBackoff || base <= 0 {
		base = c.opts.maxBackoff
	}
	c.retries++
	return base/2 + rand.N(base+1)
}

// errInactive is why a connection is dropped when the server went silent.
var errInactive = errors.New("InactiveServer: no message from the server within the inactivity timeout")

// errStopped ends the read loop once the client has stopped itself.
var errStopped = errors.New("client stopped")

// readLoop reads and handles frames until the connection fails. Received
// times are taken as soon as a frame is read, before any parsing.
func (c *Client) readLoop(conn *connection) error {
	for {
		ctx, cancel := context.WithTimeout(conn.ctx, c.opts.inactivity)
		typ, frame, err := conn.ws.Read(ctx)
		received := time.Now()
		expired := ctx.Err() != nil && conn.ctx.Err() == nil
		cancel()
		if err != nil {
			if expired {
				return errInactive
			}
			return fmt.Errorf("read: %w", err)
		}
		if typ != websocket.MessageText {
			return protocolErrorf("binary frame; the sync protocol sends JSON text")
		}
		msg, err := decodeServerMessage(frame)
		if err != nil {
			return protocolErrorf("%v", err)
		}
		if err := c.handle(conn, msg, received); err != nil {
			return err
		}
	}
}

// handle applies one server message.
func (c *Client) handle(conn *connection, msg serverMessage, received time.Time) error {
	if msg.Type == msgTransitionChunk {
		whole, err := conn.chunks.add(msg)
		if err != nil {
			return protocolErrorf("%v", err)
		}
		if whole == nil {
			return nil // more parts to come
		}
		if msg, err = decodeServerMessage(whole); err != nil {
			return protocolErrorf("reassembled transition: %v", err)
		}
		if msg.Type != msgTransition {
			return protocolErrorf("chunks reassembled into %q, want Transition", msg.Type)
		}
	} else if conn.chunks.active() {
		return protocolErrorf("%s arrived before the last part of chunked transition %q", msg.Type, conn.chunks.id)
	}
	switch msg.Type {
	case msgPing:
		return nil // it only proves the server is alive; the read already did
	case msgTransition:
		return c.applyTransition(conn, msg, received)
	case msgMutationResponse:
		c.applyMutationResponse(conn, msg, received)
		return nil
	case msgFatalError:
		c.stop(&FatalError{Message: msg.Error})
		return errStopped
	case msgAuthError:
		c.stop(&AuthError{Message: msg.Error, UpdateAttempted: msg.AuthUpdateAttempted != nil && *msg.AuthUpdateAttempted})
		return errStopped
	default:
		c.logf("skipping a %q message this client never asks for", msg.Type)
		return nil
	}
}
