package convexfake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// session is one sync WebSocket. Everything but wake, control and
// queryCount belongs to its loop goroutine, which alone writes frames, as
// Convex's sync worker does.
type session struct {
	srv        *Server
	ws         *websocket.Conn
	wake       chan struct{}
	control    chan func(*session) bool
	ended      chan struct{}
	queryCount atomic.Int64

	connected bool
	sessionID string
	identity  int
	querySet  int
	queries   map[int]*liveQuery
	removed   []int
	current   version // the endVersion of the last Transition sent
	ping      *time.Timer
}

// liveQuery is one query of the set with what the client last received.
type liveQuery struct {
	path    string
	channel string
	limit   int
	bindErr string // the query cannot run: every update reports this

	sent      bool
	lastValue json.RawMessage
	lastErr   string
}

const writeTimeout = 10 * time.Second

func (s *Server) serveSync(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	ws.SetReadLimit(64 << 20)
	sess := &session{
		srv:     s,
		ws:      ws,
		wake:    make(chan struct{}, 1),
		control: make(chan func(*session) bool),
		ended:   make(chan struct{}),
		queries: map[int]*liveQuery{},
	}
	s.mu.Lock()
	s.sessions[sess] = struct{}{}
	s.mu.Unlock()
	s.store.listen(sess, true)
	defer func() {
		s.store.listen(sess, false)
		s.mu.Lock()
		delete(s.sessions, sess)
		s.mu.Unlock()
		close(sess.ended)
		ws.CloseNow()
	}()
	sess.loop()
}

// invalidate tells the session a commit may have changed its results.
func (sess *session) invalidate() {
	select {
	case sess.wake <- struct{}{}:
	default:
	}
}

func (sess *session) loop() {
	ctx := sess.srv.ctx
	frames := make(chan []byte)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		for {
			typ, b, err := sess.ws.Read(ctx)
			if err != nil || typ != websocket.MessageText {
				return
			}
			select {
			case frames <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	var pings <-chan time.Time
	if d := sess.srv.cfg.pingInterval; d > 0 {
		sess.ping = time.NewTimer(d)
		defer sess.ping.Stop()
		pings = sess.ping.C
	}
	for {
		select {
		case b := <-frames:
			if !sess.handle(b) {
				return
			}
		case <-sess.wake:
			if sess.connected {
				sess.update(false)
			}
		case f := <-sess.control:
			if f(sess) {
				return
			}
		case <-pings:
			sess.send(map[string]string{"type": "Ping"})
		case <-readDone:
			return
		case <-ctx.Done():
			return
		}
	}
}

// send writes one message; a failed write shows up as a failed read.
func (sess *session) send(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic("convexfake: encoding a server message: " + err.Error())
	}
	sess.write(b)
}

func (sess *session) write(b []byte) {
	ctx, cancel := context.WithTimeout(sess.srv.ctx, writeTimeout)
	defer cancel()
	_ = sess.ws.Write(ctx, websocket.MessageText, b)
	if sess.ping != nil {
		sess.ping.Reset(sess.srv.cfg.pingInterval)
	}
}

// fatal sends FatalError and ends the session, as Convex does for a
// request that breaks the protocol.
func (sess *session) fatal(format string, a ...any) bool {
	sess.send(map[string]any{"type": "FatalError", "error": fmt.Sprintf(format, a...)})
	return false
}

// handle applies one client message; false ends the session.
func (sess *session) handle(frame []byte) bool {
	var m clientMessage
	if err := json.Unmarshal(frame, &m); err != nil {
		return sess.fatal("WSMessageInvalidJson: Received Invalid JSON on websocket: %v", err)
	}
	if !sess.connected && m.Type != "Connect" {
		return sess.fatal("the first message on a sync WebSocket must be Connect, got %q", m.Type)
	}
	switch m.Type {
	case "Connect":
		return sess.connect(m)
	case "Authenticate":
		return sess.authenticate(m)
	case "ModifyQuerySet":
		return sess.modifyQuerySet(m)
	case "Mutation":
		return sess.mutation(m)
	case "Event":
		return true
	default:
		return sess.fatal("WSMessageInvalidJson: unknown message type %q", m.Type)
	}
}

func (sess *session) connect(m clientMessage) bool {
	if sess.connected {
		return sess.fatal("Connect sent twice on one WebSocket")
	}
	if m.SessionID == "" || m.ConnectionCount == nil || m.ClientTs == nil {
		return sess.fatal("WSMessageInvalidJson: Connect needs sessionId, connectionCount and clientTs")
	}
	c := Connect{SessionID: m.SessionID, ConnectionCount: *m.ConnectionCount, LastCloseReason: m.LastCloseReason}
	if m.MaxObservedTimestamp != nil {
		ts, err := decodeTS(*m.MaxObservedTimestamp)
		if err != nil {
			return sess.fatal("WSMessageInvalidJson: maxObservedTimestamp: %v", err)
		}
		c.MaxObservedTimestamp = ts
	}
	sess.srv.mu.Lock()
	sess.srv.connects = append(sess.srv.connects, c)
	sess.srv.mu.Unlock()
	if c.MaxObservedTimestamp > sess.srv.store.now() {
		// Convex refuses to serve a snapshot older than one the client
		// saw: that would break linearizability. It is a server error, so
		// the socket closes without FatalError and the client retries.
		sess.ws.Close(websocket.StatusInternalError, "InternalServerError: client has observed a timestamp ahead of the backend")
		return false
	}
	sess.connected, sess.sessionID = true, m.SessionID
	return true
}

func (sess *session) authenticate(m clientMessage) bool {
	if m.BaseVersion == nil || *m.BaseVersion != sess.identity {
		return sess.fatal("Authenticate baseVersion %v does not match the identity version %d", m.BaseVersion, sess.identity)
	}
	reject := func(msg string) bool {
		sess.send(map[string]any{"type": "AuthError", "error": msg, "baseVersion": sess.identity, "authUpdateAttempted": true})
		sess.ws.Close(websocket.StatusPolicyViolation, "AuthError")
		return false
	}
	switch m.TokenType {
	case "Admin":
		if key := sess.srv.cfg.adminKey; key == "" || m.Value != key {
			return reject("BadAdminKey: The provided admin key was invalid for this instance")
		}
	case "User":
		return reject("NoAuthProvider: No auth provider found matching the given token")
	case "None":
	default:
		return sess.fatal("WSMessageInvalidJson: unknown tokenType %q", m.TokenType)
	}
	sess.identity++
	sess.update(true)
	return true
}

func (sess *session) modifyQuerySet(m clientMessage) bool {
	if m.BaseVersion == nil || *m.BaseVersion != sess.querySet {
		return sess.fatal("ModifyQuerySet baseVersion %v does not match the query set version %d", m.BaseVersion, sess.querySet)
	}
	if m.NewVersion == nil || *m.NewVersion <= sess.querySet {
		return sess.fatal("ModifyQuerySet newVersion %v must be above baseVersion %d", m.NewVersion, sess.querySet)
	}
	for _, mod := range m.Modifications {
		if mod.QueryID == nil {
			return sess.fatal("WSMessageInvalidJson: %s modification without queryId", mod.Type)
		}
		id := *mod.QueryID
		_, exists := sess.queries[id]
		switch {
		case mod.Type == "Add" && !exists:
			lq := &liveQuery{path: mod.UdfPath}
			if ch, limit, err := sess.srv.store.bindQuery(mod.UdfPath, mod.Args); err != nil {
				lq.bindErr = err.Error()
			} else {
				lq.channel, lq.limit = ch, limit
			}
			sess.queries[id] = lq
		case mod.Type == "Remove" && exists:
			delete(sess.queries, id)
			sess.removed = append(sess.removed, id)
		default:
			return sess.fatal("ModifyQuerySet: cannot %s query %d (present: %v)", mod.Type, id, exists)
		}
	}
	sess.querySet = *m.NewVersion
	sess.queryCount.Store(int64(len(sess.queries)))
	sess.update(true)
	return true
}

func (sess *session) mutation(m clientMessage) bool {
	if m.RequestID == nil {
		return sess.fatal("WSMessageInvalidJson: Mutation without requestId")
	}
	out := sess.srv.store.mutate(fmt.Sprintf("%s/%d", sess.sessionID, *m.RequestID), m.UdfPath, m.Args)
	if out.err != "" {
		sess.send(map[string]any{"type": "MutationResponse", "requestId": *m.RequestID, "success": false, "result": out.err, "logLines": []string{}})
	} else {
		sess.send(map[string]any{"type": "MutationResponse", "requestId": *m.RequestID, "success": true, "result": out.value, "ts": encodeTS(out.ts), "logLines": []string{}})
	}
	// Convex moves the client past its own mutation right after the
	// response, whether or not its queries changed.
	sess.update(true)
	return true
}

// update re-runs the query set on the latest snapshot and sends a
// Transition with what changed. Without force, a wake that changed no
// result sends nothing (Convex would not have invalidated those queries).
func (sess *session) update(force bool) {
	ids := make([]int, 0, len(sess.queries))
	for id := range sess.queries {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	st := sess.srv.store
	mods := make([]map[string]any, 0, len(ids)+len(sess.removed))
	st.mu.Lock()
	ts := st.ts
	for _, id := range ids {
		lq := sess.queries[id]
		var value json.RawMessage
		errMsg := lq.bindErr
		if errMsg == "" {
			value = st.latestLocked(lq.channel, lq.limit)
		}
		if lq.sent && bytes.Equal(value, lq.lastValue) && errMsg == lq.lastErr {
			continue
		}
		lq.sent, lq.lastValue, lq.lastErr = true, value, errMsg
		if errMsg != "" {
			mods = append(mods, map[string]any{"type": "QueryFailed", "queryId": id, "errorMessage": errMsg, "logLines": []string{}, "errorData": nil, "journal": nil})
		} else {
			mods = append(mods, map[string]any{"type": "QueryUpdated", "queryId": id, "value": value, "logLines": []string{}, "journal": nil})
		}
	}
	st.mu.Unlock()
	for _, id := range sess.removed {
		mods = append(mods, map[string]any{"type": "QueryRemoved", "queryId": id})
	}
	sess.removed = nil
	if !force && len(mods) == 0 {
		return
	}
	end := version{querySet: sess.querySet, identity: sess.identity, ts: ts}
	b, err := json.Marshal(map[string]any{"type": "Transition", "startVersion": sess.current, "endVersion": end, "modifications": mods})
	if err != nil {
		panic("convexfake: encoding a Transition: " + err.Error())
	}
	sess.current = end
	sess.sendTransition(b)
}

// sendTransition sends a Transition whole, or as TransitionChunks when it
// is larger than the chunk size.
func (sess *session) sendTransition(b []byte) {
	size := sess.srv.cfg.chunkSize
	if size <= 0 || len(b) <= size {
		sess.write(b)
		return
	}
	parts := splitChunks(string(b), size)
	// Counted before sending, so a client that has the whole transition
	// can already see the count.
	sess.srv.mu.Lock()
	sess.srv.chunksSent += len(parts)
	sess.srv.mu.Unlock()
	id := fmt.Sprintf("%d", time.Now().UnixNano())
	for i, p := range parts {
		sess.send(map[string]any{"type": "TransitionChunk", "chunk": p, "partNumber": i, "totalParts": len(parts), "transitionId": id})
	}
}
