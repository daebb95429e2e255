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
		{"links are read in milliseconds", `{"profile": "edge-near-user", "links": {"client_edge": {"rtt_ms": 10}, "edge_state": {"rtt_ms": 1.5, "jitter_ms": 1}}}`,
			map[string]time.Duration{"client_edge": 10 * time.Millisecond, "edge_state": 1500 * time.Microsecond}},
		{"negative and absurd delays are ignored", `{"links": {"a": {"rtt_ms": -1}, "b": {"rtt_ms": 1e9}}}`,
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
	f.Add(`{"links": {"client_edge": {"rtt_ms": 5}}}`)
	f.Add(`{"links": {"client_region": {"rtt_ms": 80, "jitter_ms": 2}}}`)
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
