package results

import (
	"sort"
	"time"
)

// Summary is the stable, documented machine-readable summary of a run
// (summary.json). Field names never change; new fields may be added.
type Summary struct {
	RunID       string           `json:"run_id"`
	Suite       string           `json:"suite"`
	Interrupted bool             `json:"interrupted"`
	Topology    any              `json:"topology,omitempty"`
	Rows        []SummaryRow     `json:"rows"`
	Counters    []SummaryCounter `json:"counters"`
	// Meters are the billable units targets metered themselves over
	// measured phases (the cost model turns them into money).
	Meters  []SummaryMeter `json:"meters,omitempty"`
	Skipped []SummarySkip  `json:"skipped,omitempty"`
}

// SummaryMeter is one metered unit of a (scenario, target, params), summed
// over trials, in the unit's own terms (requests, rows, bytes, GB-hours).
type SummaryMeter struct {
	Scenario string            `json:"scenario"`
	Target   string            `json:"target"`
	Params   map[string]string `json:"params"`
	Unit     string            `json:"unit"`
	Value    float64           `json:"value"`
}

// SummaryRow is one (scenario, target, params, metric), merged over trials.
// Times are milliseconds.
type SummaryRow struct {
	Scenario string            `json:"scenario"`
	Kind     string            `json:"kind"`
	Target   string            `json:"target"`
	Params   map[string]string `json:"params"`
	Metric   string            `json:"metric"`
	Unit     string            `json:"unit"`
	Count    int64             `json:"count"`
	Errors   int64             `json:"errors"`
	P50      float64           `json:"p50"`
	P90      float64           `json:"p90"`
	P99      float64           `json:"p99"`
	P999     float64           `json:"p999"`
	Max      float64           `json:"max"`
	Mean     float64           `json:"mean"`
	Trials   int               `json:"trials"`
}

// SummaryCounter is one counter of a (scenario, target, params), summed
// over trials.
type SummaryCounter struct {
	Scenario string            `json:"scenario"`
	Target   string            `json:"target"`
	Params   map[string]string `json:"params"`
	Name     string            `json:"name"`
	Value    int64             `json:"value"`
}

// SummarySkip is a (scenario, target) that did not run, and why.
type SummarySkip struct {
	Scenario string `json:"scenario"`
	Target   string `json:"target"`
	Reason   string `json:"reason"`
}

// Group is the cells of one (scenario, target, params) across trials.
type Group struct {
	Scenario, Kind, Target string
	Params                 map[string]string
	Cells                  []*Cell
}

// Merged returns one cell holding every trial's data.
func (g Group) Merged() *Cell {
	m := NewCell(g.Scenario, g.Kind, g.Target, 0, g.Params, time.Time{})
	for i, c := range g.Cells {
		if i == 0 {
			m.Started = c.Started
		}
		m.merge(c)
	}
	return m
}

// Groups gathers the run's cells by (scenario, target, params), in the
// order they first ran. Skipped cells are left out.
func Groups(r *Run) []Group {
	idx := map[string]int{}
	var out []Group
	for _, c := range r.Cells {
		if c.Skipped != "" {
			continue
		}
		k := c.Key()
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, Group{Scenario: c.Scenario, Kind: c.Kind, Target: c.Target, Params: c.Params})
		}
		out[i].Cells = append(out[i].Cells, c)
	}
	return out
}

// Summarize builds the summary of a run.
func Summarize(r *Run) Summary {
	s := Summary{RunID: r.ID, Suite: r.Suite, Interrupted: r.Interrupted,
		Rows: []SummaryRow{}, Counters: []SummaryCounter{}}
	if len(r.Topology) > 0 {
		s.Topology = r.Topology
	}
	for _, g := range Groups(r) {
		m := g.Merged()
		params := g.Params
		if params == nil {
			params = map[string]string{}
		}
		errs := m.ErrorCount()
		for _, name := range m.MetricNames() {
			h := m.Metrics[name]
			s.Rows = append(s.Rows, SummaryRow{
				Scenario: g.Scenario, Kind: g.Kind, Target: g.Target, Params: params,
				Metric: name, Unit: "ms", Count: h.Count(), Errors: errs,
				P50: ms(h.Quantile(0.50)), P90: ms(h.Quantile(0.90)), P99: ms(h.Quantile(0.99)),
				P999: ms(h.Quantile(0.999)), Max: ms(h.Max()), Mean: ms(h.Mean()),
				Trials: len(g.Cells),
			})
		}
		names := sortedKeys(m.Counters)
		for _, name := range names {
			s.Counters = append(s.Counters, SummaryCounter{Scenario: g.Scenario, Target: g.Target,
				Params: params, Name: name, Value: m.Counters[name]})
		}
		for _, class := range sortedKeys(m.Errors) {
			s.Counters = append(s.Counters, SummaryCounter{Scenario: g.Scenario, Target: g.Target,
				Params: params, Name: "error." + class, Value: m.Errors[class]})
		}
		for _, unit := range sortedKeys(m.Meters) {
			s.Meters = append(s.Meters, SummaryMeter{Scenario: g.Scenario, Target: g.Target,
				Params: params, Unit: unit, Value: m.Meters[unit]})
		}
	}
	seen := map[string]bool{}
	for _, c := range r.Cells {
		if c.Skipped != "" && !seen[c.Scenario+"\x00"+c.Target] {
			seen[c.Scenario+"\x00"+c.Target] = true
			s.Skipped = append(s.Skipped, SummarySkip{Scenario: c.Scenario, Target: c.Target, Reason: c.Skipped})
		}
	}
	sort.SliceStable(s.Skipped, func(i, j int) bool { return s.Skipped[i].Scenario < s.Skipped[j].Scenario })
	return s
}

// ms converts to milliseconds with microsecond resolution.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
