package convexfake

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sync"
	"time"
)

// store is the deployment's data: channels and the commit clock.
type store struct {
	withoutApp bool

	mu        sync.Mutex
	ts        uint64 // latest commit timestamp, ns since the epoch
	channels  map[string][]message
	deduped   map[string]outcome // "<session>/<request id>" -> first outcome
	listeners map[*session]struct{}
}

// message is a stored message; the payload is JSON text, as the app keeps it.
type message struct {
	Channel     string       `json:"channel"`
	Seq         convexNumber `json:"seq"`
	Payload     string       `json:"payload"`
	CommittedAt convexNumber `json:"committed_at"`
}

// outcome is a function's result (value) or its error message (err), and
// the timestamp of the snapshot it read or the commit it made.
type outcome struct {
	value json.RawMessage
	err   string
	ts    uint64
}

func newStore(withoutApp bool) *store {
	return &store{
		withoutApp: withoutApp,
		ts:         uint64(time.Now().UnixNano()),
		channels:   map[string][]message{},
		deduped:    map[string]outcome{},
		listeners:  map[*session]struct{}{},
	}
}

// Function kinds, as Convex names them in its errors.
const (
	kindQuery    = "Query"
	kindMutation = "Mutation"
)

// functions are targets/convex/app's public functions the fake knows.
var functions = map[string]string{
	"channels:latest":  kindQuery,
	"channels:publish": kindMutation,
}

// idPattern is contract v1's id rule, which the app applies to channels.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_:.-]{1,128}$`)

// bind finds a function as Convex would (with Convex's error texts) and
// reads its one arguments object and the channel in it.
func (st *store) bind(kind, path string, rawArgs []json.RawMessage) (map[string]json.RawMessage, string, error) {
	k, ok := functions[path]
	if st.withoutApp || !ok {
		return nil, "", fmt.Errorf("Could not find public function for '%s'. Did you forget to run `npx convex dev` or `npx convex deploy`?", path)
	}
	if k != kind {
		return nil, "", fmt.Errorf("Trying to execute %s as %s, but it is defined as %s.", path, kind, k)
	}
	var args map[string]json.RawMessage
	if len(rawArgs) != 1 || json.Unmarshal(rawArgs[0], &args) != nil || args == nil {
		return nil, "", fmt.Errorf("ArgumentValidationError: %s takes one arguments object", path)
	}
	var ch string
	if err := json.Unmarshal(args["channel"], &ch); err != nil || !idPattern.MatchString(ch) {
		return nil, "", fmt.Errorf("ArgumentValidationError: channel must be 1 to 128 of [A-Za-z0-9_:.-], got %s", args["channel"])
	}
	return args, ch, nil
}

// limitArg reads channels:latest's optional limit.
func limitArg(args map[string]json.RawMessage) (int, error) {
	raw, ok := args["limit"]
	if !ok {
		return DefaultLatest, nil
	}
	var n float64
	if err := json.Unmarshal(raw, &n); err != nil || n != float64(int(n)) || n < 1 || n > MaxLatest {
		return 0, fmt.Errorf("Uncaught ConvexError: limit %s: want an integer from 1 to %d", raw, MaxLatest)
	}
	return int(n), nil
}

// latestLocked is channels:latest: the newest limit messages, oldest first.
func (st *store) latestLocked(ch string, limit int) json.RawMessage {
	msgs := st.channels[ch]
	if len(msgs) == 0 {
		return json.RawMessage("[]")
	}
	msgs = msgs[max(0, len(msgs)-limit):]
	b, err := json.Marshal(msgs)
	if err != nil {
		panic("convexfake: stored messages do not encode: " + err.Error()) // payloads were decoded JSON
	}
	return b
}

// bindQuery binds channels:latest to its channel and limit.
func (st *store) bindQuery(path string, rawArgs []json.RawMessage) (string, int, error) {
	args, ch, err := st.bind(kindQuery, path, rawArgs)
	if err != nil {
		return "", 0, err
	}
	limit, err := limitArg(args)
	return ch, limit, err
}

// query runs a query on the latest snapshot.
func (st *store) query(path string, args []json.RawMessage) outcome {
	ch, limit, err := st.bindQuery(path, args)
	if err != nil {
		return outcome{err: err.Error()}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return outcome{value: st.latestLocked(ch, limit), ts: st.ts}
}

// mutate runs a mutation; with a key (session and request id) it runs at
// most once per key and returns the first outcome again, as Convex does
// for the sync protocol's resent mutations.
func (st *store) mutate(key, path string, rawArgs []json.RawMessage) outcome {
	if key != "" {
		st.mu.Lock()
		prior, seen := st.deduped[key]
		st.mu.Unlock()
		if seen {
			return prior
		}
	}
	out := st.publish(path, rawArgs)
	if key != "" {
		st.mu.Lock()
		st.deduped[key] = out
		st.mu.Unlock()
	}
	return out
}

// publish is channels:publish: append, then wake the sessions.
func (st *store) publish(path string, rawArgs []json.RawMessage) outcome {
	args, ch, err := st.bind(kindMutation, path, rawArgs)
	if err != nil {
		return outcome{err: err.Error()}
	}
	var payload string
	if err := json.Unmarshal(args["payload"], &payload); err != nil {
		return outcome{err: fmt.Sprintf("ArgumentValidationError: Value does not match validator.\nPath: .payload\nValue: %s\nValidator: v.string()", args["payload"])}
	}
	if !json.Valid([]byte(payload)) {
		return outcome{err: "Uncaught ConvexError: payload is not JSON text"}
	}
	m, ts := st.commit(ch, payload)
	result, _ := json.Marshal(map[string]convexNumber{"seq": m.Seq, "committed_at": m.CommittedAt})
	return outcome{value: result, ts: ts}
}

// commit appends one message at a fresh timestamp and invalidates the
// sessions; the HTTP action shares it with the mutation.
func (st *store) commit(ch, payload string) (message, uint64) {
	st.mu.Lock()
	st.ts = max(uint64(time.Now().UnixNano()), st.ts+1)
	msgs := st.channels[ch]
	seq := int64(1)
	if n := len(msgs); n > 0 {
		seq = int64(msgs[n-1].Seq) + 1
	}
	m := message{Channel: ch, Seq: convexNumber(seq), Payload: payload, CommittedAt: convexNumber(float64(st.ts) / 1e6)}
	msgs = append(msgs, m)
	if len(msgs) > MaxLatest {
		msgs = append([]message(nil), msgs[len(msgs)-MaxLatest:]...)
	}
	st.channels[ch] = msgs
	ts := st.ts
	listeners := make([]*session, 0, len(st.listeners))
	for s := range st.listeners {
		listeners = append(listeners, s)
	}
	st.mu.Unlock()
	for _, s := range listeners {
		s.invalidate()
	}
	return m, ts
}

func (st *store) listen(s *session, on bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if on {
		st.listeners[s] = struct{}{}
	} else {
		delete(st.listeners, s)
	}
}

// now is the latest commit timestamp.
func (st *store) now() uint64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.ts
}
