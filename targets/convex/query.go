package convex

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// QueryResult is one new result of a subscribed query.
type QueryResult struct {
	// Value is the query's return value in Convex's JSON encoding (numbers
	// are float64; an int64 would be {"$integer": base64}).
	Value json.RawMessage
	// Err is a *FunctionError when the query threw; Value is nil then.
	Err error
	// TS is the snapshot the result reflects: the Transition's endVersion.ts.
	TS Timestamp
	// Received is when the frame carrying it (its last chunk) was read.
	Received time.Time
}

// query is one entry of the client's query set. It stays for the life of
// the client, under the same id across reconnects.
type query struct {
	id       int
	udfPath  string
	args     json.RawMessage
	onResult func(QueryResult)

	first    chan struct{} // closed after the first result was delivered
	gotFirst bool          // reader only
	firstErr error         // set before first is closed
}

func (q *query) add() addQuery {
	return addQuery{Type: "Add", QueryID: q.id, UDFPath: q.udfPath, Args: []json.RawMessage{q.args}}
}

// deliver hands a result to the subscriber (on the reader goroutine).
func (q *query) deliver(r QueryResult) {
	q.onResult(r)
	if !q.gotFirst {
		q.gotFirst, q.firstErr = true, r.Err
		close(q.first)
	}
}

// Subscribe adds the query udfPath(args) to the client's query set, and
// calls onResult with each new result, first to last, from the client's
// goroutine; onResult should return quickly, since it holds up every later
// frame. Subscribe returns once the first result has been delivered: its
// Err when the query failed (a *FunctionError), nil otherwise. After a
// reconnect the query is re-added and its fresh result delivered again.
// args must encode to a JSON object.
func (c *Client) Subscribe(ctx context.Context, udfPath string, args any, onResult func(QueryResult)) error {
	encoded, err := encodeArgs(args)
	if err != nil {
		return err
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return c.stoppedErr()
	}
	q := &query{id: c.nextQueryID, udfPath: udfPath, args: encoded, onResult: onResult, first: make(chan struct{})}
	c.nextQueryID++
	c.queries[q.id] = q
	if conn := c.conn; conn != nil {
		base := conn.querySetVersion
		conn.querySetVersion++
		c.enqueueLocked(conn, modifyQuerySetMessage{Type: "ModifyQuerySet", BaseVersion: base, NewVersion: base + 1, Modifications: []addQuery{q.add()}})
	}
	c.mu.Unlock()

	select {
	case <-q.first:
		return q.firstErr
	case <-c.done:
		return c.stoppedErr()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// applyTransition moves the client from the Transition's startVersion to
// its endVersion, which requires the two to chain: a start that is not
// where the client stands means a lost message, and only a fresh
// connection can repair that. Results are delivered first, then mutations
// the new snapshot covers become visible, so a caller woken by Visible
// finds the subscribers' view already updated.
func (c *Client) applyTransition(conn *connection, msg serverMessage, received time.Time) error {
	type delivery struct {
		q *query
		r QueryResult
	}
	c.mu.Lock()
	if *msg.StartVersion != conn.version {
		c.mu.Unlock()
		return protocolErrorf("Transition starts at %s but the client is at %s", msg.StartVersion, conn.version)
	}
	end := *msg.EndVersion
	deliveries := make([]delivery, 0, len(msg.Modifications))
	for _, mod := range msg.Modifications {
		q := c.queries[mod.QueryID]
		if q == nil {
			continue
		}
		r := QueryResult{TS: end.TS, Received: received}
		switch mod.Type {
		case "QueryUpdated":
			r.Value = mod.Value
			if len(r.Value) == 0 {
				r.Value = json.RawMessage("null")
			}
		case "QueryFailed":
			r.Err = &FunctionError{UDFPath: q.udfPath, Message: mod.ErrorMessage, Data: mod.ErrorData}
		default: // QueryRemoved: this client never removes a query
			continue
		}
		deliveries = append(deliveries, delivery{q, r})
	}
	conn.version = end
	c.observeLocked(end.TS)
	var visible []*Mutation
	for id, m := range c.mutations {
		if m.responded && m.err == nil && m.ts <= end.TS {
			visible = append(visible, m)
			delete(c.mutations, id)
		}
	}
	c.mu.Unlock()

	c.retries = 0 // the server serves us again: the next drop starts the backoff over
	for _, d := range deliveries {
		select {
		case <-c.done:
			return errStopped
		default:
		}
		d.q.deliver(d.r)
	}
	for _, m := range visible {
		m.markVisible(received)
	}
	return nil
}

// String formats a version for error messages.
func (v stateVersion) String() string {
	return fmt.Sprintf("{querySet %d, identity %d, ts %d}", v.QuerySet, v.Identity, v.TS)
}
