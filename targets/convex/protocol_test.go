package convex

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDecodeServerMessage(t *testing.T) {
	cases := []struct {
		name  string
		frame string
		err   string // substring; "" means it decodes
	}{
		{"a Transition with both versions decodes", `{"type":"Transition","startVersion":{"querySet":0,"identity":0,"ts":"AAAAAAAAAAA="},"endVersion":{"querySet":1,"identity":0,"ts":"AQAAAAAAAAA="},"modifications":[]}`, ""},
		{"a Transition without endVersion is refused", `{"type":"Transition","startVersion":{"querySet":0,"identity":0,"ts":"AAAAAAAAAAA="},"modifications":[]}`, "endVersion"},
		{"a modification of unknown type is refused", `{"type":"Transition","startVersion":{"querySet":0,"identity":0,"ts":"AAAAAAAAAAA="},"endVersion":{"querySet":0,"identity":0,"ts":"AAAAAAAAAAA="},"modifications":[{"type":"QueryMoved","queryId":0}]}`, "QueryMoved"},
		{"a version with a numeric ts is refused", `{"type":"Transition","startVersion":{"querySet":0,"identity":0,"ts":0},"endVersion":{"querySet":0,"identity":0,"ts":"AAAAAAAAAAA="}}`, "timestamp"},
		{"a successful MutationResponse needs its ts", `{"type":"MutationResponse","requestId":3,"success":true,"result":null}`, "without ts"},
		{"a failed MutationResponse has no ts", `{"type":"MutationResponse","requestId":3,"success":false,"result":"boom"}`, ""},
		{"a chunk past its total is refused", `{"type":"TransitionChunk","chunk":"{","partNumber":2,"totalParts":2,"transitionId":"t"}`, "out of range"},
		{"a message without a type is refused", `{"error":"x"}`, "without a type"},
		{"an unknown type passes through to be skipped", `{"type":"ActionResponse","requestId":1,"success":true}`, ""},
		{"text that is not JSON is refused", `nope`, "not valid JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeServerMessage([]byte(tc.frame))
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("error = %v, want one mentioning %q", err, tc.err)
			}
		})
	}
}

func FuzzDecodeServerMessage(f *testing.F) {
	f.Add([]byte(`{"type":"Transition","startVersion":{"querySet":0,"identity":0,"ts":"AAAAAAAAAAA="},"endVersion":{"querySet":1,"identity":0,"ts":"AQAAAAAAAAA="},"modifications":[{"type":"QueryUpdated","queryId":0,"value":[1],"logLines":[]}]}`))
	f.Add([]byte(`{"type":"TransitionChunk","chunk":"{\"ty","partNumber":0,"totalParts":2,"transitionId":"7"}`))
	f.Add([]byte(`{"type":"MutationResponse","requestId":0,"success":true,"result":{"seq":1.0},"ts":"AQAAAAAAAAA=","logLines":[]}`))
	f.Add([]byte(`{"type":"AuthError","error":"bad","baseVersion":0,"authUpdateAttempted":true}`))
	f.Fuzz(func(t *testing.T, frame []byte) {
		m, err := decodeServerMessage(frame)
		if err != nil {
			return
		}
		switch m.Type {
		case msgTransition:
			if m.StartVersion == nil || m.EndVersion == nil {
				t.Fatalf("accepted a Transition without versions: %s", frame)
			}
		case msgMutationResponse:
			if m.Success && m.TS == nil {
				t.Fatalf("accepted a successful MutationResponse without ts: %s", frame)
			}
		case msgTransitionChunk:
			if m.PartNumber < 0 || m.PartNumber >= m.TotalParts {
				t.Fatalf("accepted chunk %d of %d", m.PartNumber, m.TotalParts)
			}
		}
	})
}

func TestChunkAssembler(t *testing.T) {
	chunk := func(id string, part, total int, s string) serverMessage {
		return serverMessage{Type: msgTransitionChunk, TransitionID: id, PartNumber: part, TotalParts: total, Chunk: s}
	}
	t.Run("parts in order rebuild the transition", func(t *testing.T) {
		var a chunkAssembler
		for i, s := range []string{`{"type":`, `"Tran`, `sition"}`} {
			whole, err := a.add(chunk("t1", i, 3, s))
			if err != nil {
				t.Fatal(err)
			}
			if (whole != nil) != (i == 2) {
				t.Fatalf("part %d: whole = %q", i, whole)
			}
			if i == 2 && string(whole) != `{"type":"Transition"}` {
				t.Fatalf("whole = %q", whole)
			}
		}
		if a.active() {
			t.Fatal("assembler still active after the last part")
		}
	})
	broken := []struct {
		name  string
		parts []serverMessage
		err   string
	}{
		{"a skipped part is an error", []serverMessage{chunk("t", 0, 3, "a"), chunk("t", 2, 3, "c")}, "out of order"},
		{"a new transition before the end is an error", []serverMessage{chunk("t", 0, 2, "a"), chunk("u", 0, 2, "a")}, "incomplete"},
		{"a changed total is an error", []serverMessage{chunk("t", 0, 2, "a"), chunk("t", 1, 3, "b")}, "incomplete"},
	}
	for _, tc := range broken {
		t.Run(tc.name, func(t *testing.T) {
			var a chunkAssembler
			var err error
			for _, p := range tc.parts {
				if _, err = a.add(p); err != nil {
					break
				}
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error = %v, want %q", err, tc.err)
			}
			if a.active() {
				t.Fatal("a failed assembly left a partial transition behind")
			}
		})
	}
}

func TestEncodeArgsWantsAnObject(t *testing.T) {
	if _, err := encodeArgs(map[string]string{"channel": "a"}); err != nil {
		t.Fatalf("an object was refused: %v", err)
	}
	for _, bad := range []any{[]int{1}, "channel", json.RawMessage(`null`)} {
		if _, err := encodeArgs(bad); err == nil {
			t.Fatalf("encodeArgs(%v) accepted a non-object", bad)
		}
	}
}
