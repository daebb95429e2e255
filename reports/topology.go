package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Links of a topology that the claims read.
const (
	linkClientEdge   = "client_edge"
	linkClientRegion = "client_region"
)

// linkDelays reads the round-trip time of each link of a run's topology.
// The topology belongs to the runner and stays opaque to results; a report
// reads only this much of it, as the runner records it:
// {"profile": "...", "links": {"client_edge": {"rtt_ms": 10, "jitter_ms": 1}}, ...}.
func linkDelays(raw json.RawMessage) (map[string]time.Duration, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	var t struct {
		Links map[string]struct {
			RTTms float64 `json:"rtt_ms"`
		} `json:"links"`
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("topology: %w", err)
	}
	out := map[string]time.Duration{}
	for name, l := range t.Links {
		if l.RTTms >= 0 && l.RTTms <= 10_000 {
			out[name] = time.Duration(l.RTTms * float64(time.Millisecond))
		}
	}
	return out, nil
}

// topologyText is the topology as indented JSON for a reader.
func topologyText(raw json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}

// topologySummary lists the link delays in one line: "client_edge 5ms,
// client_region 40ms".
func topologySummary(delays map[string]time.Duration) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(delays)) {
		parts = append(parts, k+" "+delays[k].String())
	}
	return strings.Join(parts, ", ")
}
