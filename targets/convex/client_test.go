package convex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"versus/targets"
	"versus/targets/convex/convexfake"
)

// fast makes reconnects quick enough for tests.
var fast = WithBackoff(10*time.Millisecond, 100*time.Millisecond)

func startFake(t *testing.T, opts ...convexfake.Option) *convexfake.Server {
	t.Helper()
	f := convexfake.New(opts...)
	t.Cleanup(f.Close)
	return f
}

func dial(t *testing.T, url string, opts ...Option) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Dial(ctx, url, opts...)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// watcher collects a channels:latest query's messages as they arrive.
type watcher struct {
	mu      sync.Mutex
	results int
	seen    map[int64]targets.Message
	changed chan struct{}
}

func newWatcher() *watcher {
	return &watcher{seen: map[int64]targets.Message{}, changed: make(chan struct{}, 1)}
}

func (w *watcher) onResult(r QueryResult) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.results++
	if r.Err == nil {
		msgs, _ := decodeMessages(r.Value)
		for _, m := range msgs {
			m.Received = r.Received
			w.seen[m.Seq] = m
		}
	}
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

// waitSeq waits until the watcher has seen seq.
func (w *watcher) waitSeq(t *testing.T, seq int64) targets.Message {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		w.mu.Lock()
		m, ok := w.seen[seq]
		w.mu.Unlock()
		if ok {
			return m
		}
		select {
		case <-w.changed:
		case <-deadline:
			t.Fatalf("seq %d never arrived", seq)
		}
	}
}

func subscribe(t *testing.T, c *Client, channel string) *watcher {
	t.Helper()
	w := newWatcher()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Subscribe(ctx, latestFunction, latestArgs(channel, 0), w.onResult); err != nil {
		t.Fatalf("Subscribe(%s): %v", channel, err)
	}
	return w
}

// publishHTTP commits one message through the fake's HTTP action.
func publishHTTP(t *testing.T, f *convexfake.Server, channel, payload string) targets.Ack {
	t.Helper()
	resp, err := http.Post(f.SiteURL()+"/channels/"+channel+"/messages", "application/json", strings.NewReader(`{"payload":`+payload+`}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("publish answered %d %s (%v)", resp.StatusCode, body, err)
	}
	ack, err := decodeAck(body)
	if err != nil {
		t.Fatal(err)
	}
	return ack
}

// eventually polls cond for up to 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}

func TestClientQueriesAndMutations(t *testing.T) {
	t.Run("a query's first result holds what was committed before it", func(t *testing.T) {
		f := startFake(t)
		publishHTTP(t, f, "early", `"before"`)
		c := dial(t, f.URL())
		w := subscribe(t, c, "early")
		if m := w.waitSeq(t, 1); string(m.Payload) != `"before"` {
			t.Fatalf("payload = %s", m.Payload)
		}
	})
	t.Run("a mutation is acknowledged, then visible to the client's query", func(t *testing.T) {
		f := startFake(t)
		c := dial(t, f.URL())
		w := subscribe(t, c, "room")
		m, err := c.Mutate(publishFunction, map[string]string{"channel": "room", "payload": `{"n":1}`})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r, err := m.Visible(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r.TS == 0 || r.AcknowledgedAt.IsZero() || r.VisibleAt.Before(r.AcknowledgedAt) {
			t.Fatalf("result = %+v: want a ts and ack <= visible", r)
		}
		w.mu.Lock()
		_, seen := w.seen[1]
		w.mu.Unlock()
		if !seen {
			t.Fatal("Visible returned before the query result carried the message")
		}
	})
	t.Run("a mutation that throws returns a FunctionError", func(t *testing.T) {
		f := startFake(t)
		c := dial(t, f.URL())
		m, err := c.Mutate("channels:nope", map[string]string{"channel": "x"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = m.Ack(context.Background())
		var fn *FunctionError
		if !errors.As(err, &fn) || !strings.Contains(fn.Message, "Could not find public function") {
			t.Fatalf("err = %v, want a FunctionError for the missing function", err)
		}
	})
	t.Run("a query that throws makes Subscribe fail", func(t *testing.T) {
		f := startFake(t, convexfake.WithoutApp())
		c := dial(t, f.URL())
		err := c.Subscribe(context.Background(), latestFunction, map[string]string{"channel": "x"}, func(QueryResult) {})
		var fn *FunctionError
		if !errors.As(err, &fn) || !missingFunction(fn) {
			t.Fatalf("err = %v, want Could not find public function", err)
		}
	})
}

func TestClientReassemblesChunkedTransitions(t *testing.T) {
	f := startFake(t, convexfake.WithChunkSize(512))
	c := dial(t, f.URL())
	w := subscribe(t, c, "big")
	// Multi-byte characters make sure chunks split between characters.
	payload, _ := json.Marshal(strings.Repeat("é漢字🙂", 400))
	publishHTTP(t, f, "big", string(payload))
	got := w.waitSeq(t, 1)
	if string(got.Payload) != string(payload) {
		t.Fatalf("payload changed in transit: %d bytes, want %d", len(got.Payload), len(payload))
	}
	if n := f.ChunksSent(); n < 2 {
		t.Fatalf("the fake sent %d chunks; the transition should have been split", n)
	}
}

func TestClientReconnectRestoresEveryQuery(t *testing.T) {
	f := startFake(t)
	c := dial(t, f.URL(), fast)
	channels := []string{"a", "b", "c"}
	watchers := map[string]*watcher{}
	for _, ch := range channels {
		watchers[ch] = subscribe(t, c, ch)
		publishHTTP(t, f, ch, `"before"`)
		watchers[ch].waitSeq(t, 1)
	}
	if n := f.DropConnections(); n != 1 {
		t.Fatalf("dropped %d connections, want 1", n)
	}
	eventually(t, "the client reconnected with its 3 queries", func() bool {
		return len(f.Connects()) == 2 && f.QueryCount() == len(channels)
	})
	restored := 0
	for _, ch := range channels {
		publishHTTP(t, f, ch, `"after"`)
		if m := watchers[ch].waitSeq(t, 2); string(m.Payload) == `"after"` {
			restored++
		}
	}
	t.Logf("queries restored after the drop: %d of %d", restored, len(channels))
	if restored != len(channels) {
		t.Fatalf("restored %d of %d queries", restored, len(channels))
	}
	first, second := f.Connects()[0], f.Connects()[1]
	switch {
	case second.SessionID != first.SessionID:
		t.Errorf("the session id changed across the reconnect")
	case second.ConnectionCount != 1:
		t.Errorf("connectionCount = %d, want 1", second.ConnectionCount)
	case second.LastCloseReason == nil || *second.LastCloseReason == "":
		t.Errorf("lastCloseReason is empty on the reconnect")
	case second.MaxObservedTimestamp == 0:
		t.Errorf("maxObservedTimestamp missing on the reconnect")
	case first.LastCloseReason == nil || *first.LastCloseReason != "InitialConnect":
		t.Errorf("the first Connect's lastCloseReason = %v, want InitialConnect", first.LastCloseReason)
	}
}

func TestClientStopsOnServerErrors(t *testing.T) {
	t.Run("FatalError stops the client with the server's reason", func(t *testing.T) {
		f := startFake(t)
		c := dial(t, f.URL(), fast)
		subscribe(t, c, "x")
		if n := f.SendFatalError("ClientVersionUnsupported: upgrade"); n != 1 {
			t.Fatalf("reached %d sessions", n)
		}
		select {
		case <-c.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("the client did not stop")
		}
		var fatal *FatalError
		if !errors.As(c.Err(), &fatal) || !strings.Contains(c.Err().Error(), "ClientVersionUnsupported") {
			t.Fatalf("Err = %v, want the FatalError", c.Err())
		}
		time.Sleep(50 * time.Millisecond)
		if n := len(f.Connects()); n != 1 {
			t.Fatalf("the client reconnected after FatalError (%d connects)", n)
		}
		if _, err := c.Mutate(publishFunction, map[string]string{}); !errors.As(err, &fatal) {
			t.Fatalf("Mutate after the FatalError: %v", err)
		}
	})
	t.Run("AuthError for a bad key stops the client without showing the key", func(t *testing.T) {
		f := startFake(t, convexfake.WithAdminKey("prod:right|key"))
		const wrong = "prod:wrong|s3cr3t-value"
		c := dial(t, f.URL(), WithAdminKey(wrong))
		err := c.Subscribe(context.Background(), latestFunction, map[string]string{"channel": "x"}, func(QueryResult) {})
		var auth *AuthError
		if !errors.As(err, &auth) || !strings.Contains(err.Error(), "admin key was invalid") {
			t.Fatalf("err = %v, want an AuthError", err)
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Fatalf("the error shows the key: %v", err)
		}
	})
	t.Run("the right key is accepted", func(t *testing.T) {
		f := startFake(t, convexfake.WithAdminKey("prod:right|key"))
		subscribe(t, dial(t, f.URL(), WithAdminKey("prod:right|key")), "x")
	})
}

func TestClientKeepsTheConnectionWhileTheServerPings(t *testing.T) {
	cases := []struct {
		name       string
		ping       time.Duration
		reconnects bool
	}{
		{"a server that pings keeps the connection", 30 * time.Millisecond, false},
		{"a silent server is dropped and reconnected", 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := startFake(t, convexfake.WithPingInterval(tc.ping))
			c := dial(t, f.URL(), fast, WithInactivityTimeout(150*time.Millisecond))
			subscribe(t, c, "quiet")
			time.Sleep(500 * time.Millisecond)
			connects := f.Connects()
			if got := len(connects) > 1; got != tc.reconnects {
				t.Fatalf("%d connects; reconnected = %v, want %v", len(connects), got, tc.reconnects)
			}
			if tc.reconnects && !strings.Contains(*connects[1].LastCloseReason, "InactiveServer") {
				t.Fatalf("lastCloseReason = %q", *connects[1].LastCloseReason)
			}
		})
	}
}

// TestClientReconnectsOnABrokenVersionChain uses a server that sends a
// Transition starting at a version the client never reached: the client
// must not apply it, and must start over on a new connection.
func TestClientReconnectsOnABrokenVersionChain(t *testing.T) {
	var mu sync.Mutex
	var reasons []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		_, b, err := ws.Read(r.Context())
		if err != nil {
			return
		}
		var connect struct {
			LastCloseReason *string `json:"lastCloseReason"`
		}
		json.Unmarshal(b, &connect)
		mu.Lock()
		reasons = append(reasons, *connect.LastCloseReason)
		mu.Unlock()
		ws.Write(r.Context(), websocket.MessageText, []byte(`{"type":"Transition","startVersion":{"querySet":7,"identity":0,"ts":"AQAAAAAAAAA="},"endVersion":{"querySet":8,"identity":0,"ts":"AgAAAAAAAAA="},"modifications":[]}`))
		for {
			if _, _, err := ws.Read(r.Context()); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := dial(t, srv.URL, fast)
	eventually(t, "the client reconnected", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(reasons) >= 2
	})
	c.Close()
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(reasons[1], "Transition starts at") {
		t.Fatalf("lastCloseReason = %q, want the version mismatch", reasons[1])
	}
}

func TestSyncURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://happy-otter-123.convex.cloud", "wss://happy-otter-123.convex.cloud/api/" + ClientVersion + "/sync"},
		{"http://127.0.0.1:3210/", "ws://127.0.0.1:3210/api/" + ClientVersion + "/sync"},
		{"https://x.convex.cloud/api", ""},
		{"ftp://x", ""},
	}
	for _, tc := range cases {
		got, err := SyncURL(tc.in)
		if (err != nil) != (tc.want == "") || got != tc.want {
			t.Errorf("SyncURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// TestClientResendsAMutationCutOffByADrop uses a server that drops the
// socket after reading a mutation: the client must send it again on the
// next connection under the same session and request id (which Convex
// uses to run it once), and its caller must see the second answer.
func TestClientResendsAMutationCutOffByADrop(t *testing.T) {
	type seen struct {
		session   string
		requestID int64
	}
	var mu sync.Mutex
	var mutations []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		var session string
		for {
			_, b, err := ws.Read(r.Context())
			if err != nil {
				return
			}
			var m struct {
				Type      string `json:"type"`
				SessionID string `json:"sessionId"`
				RequestID int64  `json:"requestId"`
			}
			json.Unmarshal(b, &m)
			switch m.Type {
			case "Connect":
				session = m.SessionID
			case "Mutation":
				mu.Lock()
				mutations = append(mutations, seen{session, m.RequestID})
				first := len(mutations) == 1
				mu.Unlock()
				if first {
					return // the drop, before any response
				}
				ws.Write(r.Context(), websocket.MessageText, []byte(`{"type":"MutationResponse","requestId":`+fmt.Sprint(m.RequestID)+`,"success":true,"result":{"seq":1.0,"committed_at":5.0},"ts":"BQAAAAAAAAA=","logLines":[]}`))
				ws.Write(r.Context(), websocket.MessageText, []byte(`{"type":"Transition","startVersion":{"querySet":0,"identity":0,"ts":"AAAAAAAAAAA="},"endVersion":{"querySet":1,"identity":0,"ts":"BQAAAAAAAAA="},"modifications":[]}`))
			}
		}
	}))
	defer srv.Close()
	c := dial(t, srv.URL, fast)
	m, err := c.Mutate(publishFunction, map[string]string{"channel": "x", "payload": "1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := m.Visible(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.TS != 5 {
		t.Fatalf("ts = %d, want 5", r.TS)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(mutations) != 2 || mutations[0] != mutations[1] {
		t.Fatalf("mutations seen = %+v, want the same session and request id twice", mutations)
	}
}
