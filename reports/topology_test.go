package reports

import (
	"encoding/json"
	"testing"
	"time"
)

func TestLinkDelays(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want map[string]time.Duration
	}{
		{"an empty topology has no links", ``, nil},
		{"links under links are read", `{"links": {"client_edge": "5ms", "client_region": {"latency": 40}}}`,
			map[string]time.Duration{"client_edge": 5 * time.Millisecond, "client_region": 40 * time.Millisecond}},
		{"top-level links are read", `{"client_edge": {"rtt": "2ms"}, "name": "x", "edge_state": 1.5}`,
			map[string]time.Duration{"client_edge": 2 * time.Millisecond, "edge_state": 1500 * time.Microsecond}},
		{"negative and nonsense delays are ignored", `{"a": "-1ms", "b": -3, "c": {"latency": {"x": 1}}, "d": true}`,
			map[string]time.Duration{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := linkDelays(json.RawMessage(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
	if _, err := linkDelays(json.RawMessage(`[1, 2]`)); err == nil {
		t.Error("a topology that is not an object gives no error")
	}
}

func FuzzLinkDelays(f *testing.F) {
	f.Add(`{"links": {"client_edge": "5ms"}}`)
	f.Add(`{"client_region": {"latency": 40}}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, raw string) {
		delays, err := linkDelays(json.RawMessage(raw))
		if err != nil {
			return
		}
		for k, d := range delays {
			if d < 0 {
				t.Fatalf("link %q has negative delay %v", k, d)
			}
		}
		_ = topologySummary(delays)
		_ = topologyText(json.RawMessage(raw))
	})
}
