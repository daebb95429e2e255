package convex

import (
	"context"
	"encoding/json"
	"time"
)

// Mutation is one mutation sent on a Client. It is acknowledged when the
// server's MutationResponse arrives (the transaction committed at TS), and
// visible when a Transition at or past TS arrives: from then on every query
// result this client receives includes the mutation's writes. The JS client
// resolves `await mutation()` at the second moment.
type Mutation struct {
	c         *Client
	requestID int64
	udfPath   string
	message   mutationMessage

	acked   chan struct{}
	visible chan struct{}

	// Guarded by Client.mu until acked is closed, read-only after.
	responded bool
	value     json.RawMessage
	ts        Timestamp
	ackAt     time.Time
	err       error

	visibleAt time.Time // set before visible is closed
}

// MutationResult is what a Mutation returned and when.
type MutationResult struct {
	Value json.RawMessage
	// TS is the commit timestamp.
	TS Timestamp
	// AcknowledgedAt is when the MutationResponse frame was read.
	AcknowledgedAt time.Time
	// VisibleAt is when the first Transition with endVersion.ts >= TS was
	// read (zero in the result of Ack).
	VisibleAt time.Time
}

// Mutate sends the mutation udfPath(args) and returns at once; wait on the
// Mutation for its outcome. If the connection drops before the response,
// the mutation is sent again on the next one under the same request id,
// which the server uses to run it once. args must encode to a JSON object.
func (c *Client) Mutate(udfPath string, args any) (*Mutation, error) {
	encoded, err := encodeArgs(args)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		if c.err != nil {
			return nil, c.err
		}
		return nil, ErrClosed
	}
	m := &Mutation{
		c:         c,
		requestID: c.nextRequestID,
		udfPath:   udfPath,
		acked:     make(chan struct{}),
		visible:   make(chan struct{}),
	}
	m.message = mutationMessage{Type: "Mutation", RequestID: m.requestID, UDFPath: udfPath, Args: []json.RawMessage{encoded}}
	c.nextRequestID++
	c.mutations[m.requestID] = m
	if c.conn != nil {
		c.enqueueLocked(c.conn, m.message)
	}
	return m, nil
}

// Ack waits for the MutationResponse. A mutation that threw returns a
// *FunctionError.
func (m *Mutation) Ack(ctx context.Context) (MutationResult, error) {
	if err := m.wait(ctx, m.acked); err != nil {
		return MutationResult{}, err
	}
	if m.err != nil {
		return MutationResult{AcknowledgedAt: m.ackAt}, m.err
	}
	return MutationResult{Value: m.value, TS: m.ts, AcknowledgedAt: m.ackAt}, nil
}

// Visible waits until the mutation is visible to this client's queries and
// returns both moments.
func (m *Mutation) Visible(ctx context.Context) (MutationResult, error) {
	r, err := m.Ack(ctx)
	if err != nil {
		return r, err
	}
	if err := m.wait(ctx, m.visible); err != nil {
		return r, err
	}
	r.VisibleAt = m.visibleAt
	return r, nil
}

// wait blocks until ch closes, the client stops, or ctx ends. A result
// that arrived just before the client stopped still counts.
func (m *Mutation) wait(ctx context.Context, ch chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-m.c.done:
		select {
		case <-ch:
			return nil
		default:
			return m.c.stoppedErr()
		}
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m *Mutation) markVisible(at time.Time) {
	m.visibleAt = at
	close(m.visible)
}

// applyMutationResponse records a MutationResponse. A response for a
// request already answered (a resend after a reconnect) is ignored.
func (c *Client) applyMutationResponse(conn *connection, msg serverMessage, received time.Time) {
	c.mu.Lock()
	m := c.mutations[msg.RequestID]
	if m == nil || m.responded {
		c.mu.Unlock()
		return
	}
	m.responded, m.ackAt = true, received
	visibleNow := false
	if msg.Success {
		m.value, m.ts = msg.Result, *msg.TS
		c.observeLocked(m.ts)
		// A Transition past the commit may have come first.
		visibleNow = conn.version.TS >= m.ts
	} else {
		m.err = &FunctionError{UDFPath: m.udfPath, Message: failureMessage(msg.Result), Data: msg.ErrorData}
	}
	if visibleNow || m.err != nil {
		delete(c.mutations, m.requestID)
	}
	c.mu.Unlock()
	close(m.acked)
	switch {
	case m.err != nil:
		close(m.visible)
	case visibleNow:
		m.markVisible(received)
	}
}

// failureMessage extracts the message of a failed MutationResponse: its
// result is the error message as a JSON string.
func failureMessage(result json.RawMessage) string {
	var s string
	if err := json.Unmarshal(result, &s); err == nil {
		return s
	}
	return string(result)
}
