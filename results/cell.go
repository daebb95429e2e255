package results

import (
	"sort"
	"strings"
	"sync"
	"time"
)

// Cell is one scenario run against one target in one trial with one set of
// parameters (a fan-out size, a scheduling mechanism). It is safe for
// concurrent use: workers record into it directly.
type Cell struct {
	Scenario string            `json:"scenario"`
	Kind     string            `json:"kind"`
	Target   string            `json:"target"`
	Trial    int               `json:"trial"`
	Params   map[string]string `json:"params,omitempty"`
	Started  time.Time         `json:"started"`
	Ended    time.Time         `json:"ended"`
	// Skipped says why the cell did not run (a missing capability).
	Skipped string `json:"skipped,omitempty"`
	// Failed says what ended the cell early; its data so far is kept.
	Failed    string                `json:"failed,omitempty"`
	Metrics   map[string]*Histogram `json:"metrics"`
	Timelines map[string]*Timeline  `json:"timelines,omitempty"`
	Counters  map[string]int64      `json:"counters"`
	// Errors counts failed operations by class (status_5xx, timeout,
	// connection, ...). A failed operation is never recorded as a latency.
	Errors map[string]int64 `json:"errors,omitempty"`
	// timelineStep is the resolution of the cell's timelines.
	timelineStep time.Duration
	// Meters are billable units the target counted itself (GET /meters)
	// over the cell's measured phase, by the cost model's unit names.
	// Some are fractional (GB-hours), hence floats.
	Meters map[string]float64 `json:"meters,omitempty"`

	mu sync.Mutex
}

// NewCell starts a cell whose timelines count seconds from started.
func NewCell(scenario, kind, target string, trial int, params map[string]string, started time.Time) *Cell {
	return &Cell{
		Scenario: scenario, Kind: kind, Target: target, Trial: trial, Params: params,
		Started: started, Metrics: map[string]*Histogram{}, Timelines: map[string]*Timeline{},
		Counters: map[string]int64{}, Errors: map[string]int64{}, Meters: map[string]float64{},
	}
}

// Observe records d in metric's histogram and in its timeline at the second
// containing at.
func (c *Cell) Observe(metric string, at time.Time, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.Metrics[metric]
	if !ok {
		h = NewHistogram()
		c.Metrics[metric] = h
	}
	h.Record(d)
	tl, ok := c.Timelines[metric]
	if !ok {
		tl = NewTimeline(c.Started, c.timelineStep)
		c.Timelines[metric] = tl
	}
	tl.Record(at, d)
}

// SetTimelineStep sets the resolution of timelines the cell starts from
// now on: a phase of a few seconds needs steps finer than a second.
func (c *Cell) SetTimelineStep(step time.Duration) {
	c.mu.Lock()
	c.timelineStep = step
	c.mu.Unlock()
}

// Add adds n to a counter.
func (c *Cell) Add(counter string, n int64) {
	c.mu.Lock()
	c.Counters[counter] += n
	c.mu.Unlock()
}

// Error counts one failed operation of the given class.
func (c *Cell) Error(class string) {
	c.mu.Lock()
	c.Errors[class]++
	c.mu.Unlock()
}

// AddMeter adds v units the target metered.
func (c *Cell) AddMeter(unit string, v float64) {
	c.mu.Lock()
	c.Meters[unit] += v
	c.mu.Unlock()
}

// Counter reads a counter.
func (c *Cell) Counter(name string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Counters[name]
}

// ErrorCount is the number of failed operations of every class.
func (c *Cell) ErrorCount() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for _, v := range c.Errors {
		n += v
	}
	return n
}

// Histogram returns a copy of a metric's histogram (nil if none).
func (c *Cell) Histogram(metric string) *Histogram {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.Metrics[metric]; ok {
		return h.Clone()
	}
	return nil
}

// MetricNames lists the cell's metrics in order.
func (c *Cell) MetricNames() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return sortedKeys(c.Metrics)
}

// Finish stamps the end of the cell.
func (c *Cell) Finish(at time.Time) {
	c.mu.Lock()
	c.Ended = at
	c.mu.Unlock()
}

// Key identifies the cell's group across trials: scenario, target, params.
func (c *Cell) Key() string {
	return c.Scenario + "\x00" + c.Target + "\x00" + ParamsKey(c.Params)
}

// ParamsKey renders params in a stable order, "k=v,k=v".
func ParamsKey(p map[string]string) string {
	keys := sortedKeys(p)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + p[k]
	}
	return strings.Join(parts, ",")
}

// merge adds o's data into c (same key, another trial or shard). o may be
// live, so it is read under its own lock; c is always a cell of the
// caller's own, so the two locks cannot be taken in the other order.
func (c *Cell) merge(o *Cell) {
	o.mu.Lock()
	defer o.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, h := range o.Metrics {
		if mine, ok := c.Metrics[k]; ok {
			mine.Merge(h)
		} else {
			c.Metrics[k] = h.Clone()
		}
	}
	for k, tl := range o.Timelines {
		if mine, ok := c.Timelines[k]; ok {
			mine.Merge(tl)
		} else {
			nt := NewTimeline(tl.Start, tl.Step)
			nt.Merge(tl)
			c.Timelines[k] = nt
		}
	}
	for k, v := range o.Counters {
		c.Counters[k] += v
	}
	for k, v := range o.Errors {
		c.Errors[k] += v
	}
	for k, v := range o.Meters {
		c.Meters[k] += v
	}
	if o.Started.Before(c.Started) {
		c.Started = o.Started
	}
	if o.Ended.After(c.Ended) {
		c.Ended = o.Ended
	}
	if c.Failed == "" {
		c.Failed = o.Failed
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
