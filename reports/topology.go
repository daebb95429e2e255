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

// linkDelays reads the delay of each named link of a run's topology. The
// topology belongs to the runner and stays opaque to results; a report
// reads only this much of it: a JSON object whose links (at the top level
// or under "links") are a Go duration ("20ms"), a number of milliseconds,
// or an object whose "latency", "rtt" or "delay" is either.
func linkDelays(raw json.RawMessage) (map[string]time.Duration, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, fmt.Errorf("topology: want a JSON object: %w", err)
	}
	if links, ok := top["links"]; ok {
		var inner map[string]json.RawMessage
		if err := json.Unmarshal(links, &inner); err == nil {
			top = inner
		}
	}
	out := map[string]time.Duration{}
	for name, v := range top {
		if d, ok := delayOf(v); ok {
			out[name] = d
		}
	}
	return out, nil
}

// delayOf reads one link's delay.
func delayOf(v json.RawMessage) (time.Duration, bool) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		d, err := time.ParseDuration(s)
		return d, err == nil && d >= 0
	}
	var ms float64
	if json.Unmarshal(v, &ms) == nil {
		return time.Duration(ms * float64(time.Millisecond)), ms >= 0 && ms < 3.6e6
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(v, &obj) == nil {
		for _, k := range []string{"latency", "rtt", "delay"} {
			if inner, ok := obj[k]; ok {
				var nested map[string]json.RawMessage
				if json.Unmarshal(inner, &nested) == nil {
					return 0, false // only one level of nesting
				}
				return delayOf(inner)
			}
		}
	}
	return 0, false
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
