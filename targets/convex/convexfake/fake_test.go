package convexfake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

func FuzzSplitChunks(f *testing.F) {
	f.Add("plain ascii transition", 4)
	f.Add("é漢字🙂 multi-byte", 1)
	f.Add("", 3)
	f.Fuzz(func(t *testing.T, s string, size int) {
		if size <= 0 || size > 1<<16 {
			return
		}
		parts := splitChunks(s, size)
		if got := strings.Join(parts, ""); got != s {
			t.Fatalf("joined parts differ from the input")
		}
		// The fake only splits json.Marshal output, which is valid UTF-8;
		// for other input, joining back is all that is promised.
		if !utf8.ValidString(s) {
			return
		}
		for i, p := range parts {
			if len(p) > size && utf8.RuneCountInString(p) > 1 {
				t.Fatalf("part %d has %d bytes, over %d", i, len(p), size)
			}
			if !utf8.ValidString(p) {
				t.Fatalf("part %d splits a character: %q", i, p)
			}
		}
	})
}

// rawSession speaks the protocol by hand, to test the fake itself.
type rawSession struct {
	t  *testing.T
	ws *websocket.Conn
}

func openRaw(t *testing.T, s *Server, sessionID string, count int) *rawSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, strings.Replace(s.URL(), "http", "ws", 1)+"/api/1.46.0/sync", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	r := &rawSession{t: t, ws: ws}
	r.send(map[string]any{"type": "Connect", "sessionId": sessionID, "connectionCount": count, "lastCloseReason": nil, "clientTs": 0})
	return r
}

func (r *rawSession) send(v any) {
	b, _ := json.Marshal(v)
	if err := r.ws.Write(context.Background(), websocket.MessageText, b); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rawSession) next() map[string]json.RawMessage {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := r.ws.Read(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		r.t.Fatal(err)
	}
	return m
}

func TestFakeDeduplicatesResentMutations(t *testing.T) {
	s := New()
	defer s.Close()
	mutation := map[string]any{"type": "Mutation", "requestId": 0, "udfPath": "channels:publish", "args": []any{map[string]any{"channel": "c", "payload": "1"}}}
	var results []string
	for i := range 2 {
		r := openRaw(t, s, "same-session", i)
		r.send(mutation)
		resp := r.next()
		if string(resp["type"]) != `"MutationResponse"` || string(resp["success"]) != "true" {
			t.Fatalf("response %d = %v", i, resp)
		}
		results = append(results, string(resp["result"])+string(resp["ts"]))
	}
	if results[0] != results[1] {
		t.Fatalf("the resend got %s, the first send %s", results[1], results[0])
	}
	resp, err := http.Post(s.URL()+"/api/query", "application/json", strings.NewReader(`{"path":"channels:latest","args":{"channel":"c"},"format":"json"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var q struct {
		Status string            `json:"status"`
		Value  []json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&q); err != nil || q.Status != "success" || len(q.Value) != 1 {
		t.Fatalf("channel holds %d messages (%s, %v), want 1", len(q.Value), q.Status, err)
	}
}

func TestFakeChainsVersionsAndEncodesTimestamps(t *testing.T) {
	s := New()
	defer s.Close()
	r := openRaw(t, s, "chain", 0)
	r.send(map[string]any{"type": "ModifyQuerySet", "baseVersion": 0, "newVersion": 1, "modifications": []any{
		map[string]any{"type": "Add", "queryId": 0, "udfPath": "channels:latest", "args": []any{map[string]any{"channel": "c"}}},
	}})
	var prevEnd json.RawMessage = json.RawMessage(`{"identity":0,"querySet":0,"ts":"AAAAAAAAAAA="}`)
	for i := range 3 {
		if i > 0 {
			r.send(map[string]any{"type": "Mutation", "requestId": i, "udfPath": "channels:publish", "args": []any{map[string]any{"channel": "c", "payload": fmt.Sprint(i)}}})
			if resp := r.next(); string(resp["type"]) != `"MutationResponse"` {
				t.Fatalf("got %s, want the MutationResponse first", resp["type"])
			}
		}
		tr := r.next()
		if string(tr["type"]) != `"Transition"` {
			t.Fatalf("got %s, want a Transition", tr["type"])
		}
		if string(tr["startVersion"]) != string(prevEnd) {
			t.Fatalf("transition %d starts at %s, the previous ended at %s", i, tr["startVersion"], prevEnd)
		}
		var end struct {
			TS string `json:"ts"`
		}
		json.Unmarshal(tr["endVersion"], &end)
		if ts, err := decodeTS(end.TS); err != nil || ts == 0 {
			t.Fatalf("endVersion.ts %q: %v", end.TS, err)
		}
		prevEnd = tr["endVersion"]
	}
}

func TestFakeRefusesProtocolViolations(t *testing.T) {
	cases := []struct {
		name string
		msg  map[string]any
		want string
	}{
		{"a query set change from the wrong base version is fatal", map[string]any{"type": "ModifyQuerySet", "baseVersion": 3, "newVersion": 4, "modifications": []any{}}, "baseVersion"},
		{"an unknown message type is fatal", map[string]any{"type": "Shout"}, "unknown message type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := New()
			defer s.Close()
			r := openRaw(t, s, "bad", 0)
			r.send(tc.msg)
			m := r.next()
			if string(m["type"]) != `"FatalError"` || !strings.Contains(string(m["error"]), tc.want) {
				t.Fatalf("got %v, want a FatalError about %s", m, tc.want)
			}
		})
	}
}
