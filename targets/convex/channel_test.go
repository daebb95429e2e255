package convex

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDecodeMessages(t *testing.T) {
	cases := []struct {
		name  string
		value string
		seqs  []int64
		err   string
	}{
		{"Convex floats with .0 are whole seqs, sorted", `[{"channel":"c","seq":2.0,"payload":"{\"a\":1}","committed_at":5.0},{"channel":"c","seq":1.0,"payload":"1","committed_at":4.0}]`, []int64{1, 2}, ""},
		{"an empty channel is an empty array", `[]`, nil, ""},
		{"a fractional seq is refused", `[{"channel":"c","seq":1.5,"payload":"1","committed_at":1}]`, nil, "whole number"},
		{"a payload that is not JSON text is refused", `[{"channel":"c","seq":1,"payload":"{oops","committed_at":1}]`, nil, "not JSON text"},
		{"an object payload (an older app) is refused with advice", `[{"channel":"c","seq":1,"payload":{"a":1},"committed_at":1}]`, nil, "want an array"},
		{"a missing payload is refused with advice", `[{"channel":"c","seq":1,"committed_at":1}]`, nil, "redeploy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msgs, err := decodeMessages(json.RawMessage(tc.value))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var seqs []int64
			for _, m := range msgs {
				seqs = append(seqs, m.Seq)
			}
			if len(seqs) != len(tc.seqs) || (len(seqs) > 0 && (seqs[0] != tc.seqs[0] || seqs[len(seqs)-1] != tc.seqs[len(tc.seqs)-1])) {
				t.Fatalf("seqs = %v, want %v", seqs, tc.seqs)
			}
		})
	}
}

func TestPublishArgsCarryCompactJSONText(t *testing.T) {
	args, err := publishArgs("c", json.RawMessage(`{ "a" : [1, 2] }`))
	if err != nil || args["payload"] != `{"a":[1,2]}` || args["channel"] != "c" {
		t.Fatalf("args = %v, %v", args, err)
	}
	if _, err := publishArgs("c", json.RawMessage(`{nope`)); err == nil {
		t.Fatal("a payload that is not JSON was accepted")
	}
}

func FuzzDecodeMessages(f *testing.F) {
	f.Add([]byte(`[{"channel":"c","seq":1.0,"payload":"\"x\"","committed_at":1.0}]`))
	f.Add([]byte(`[{"channel":"c","seq":9007199254740993,"payload":"1","committed_at":1}]`))
	f.Add([]byte(`{"seq":1}`))
	f.Fuzz(func(t *testing.T, value []byte) {
		msgs, err := decodeMessages(value)
		if err != nil {
			return
		}
		for i, m := range msgs {
			if !json.Valid(m.Payload) {
				t.Fatalf("message %d has a payload that is not JSON: %q", i, m.Payload)
			}
			if i > 0 && msgs[i-1].Seq > m.Seq {
				t.Fatalf("seqs out of order: %d before %d", msgs[i-1].Seq, m.Seq)
			}
		}
	})
}
