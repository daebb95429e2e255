package reports

import (
	"maps"
	"slices"
	"strings"
	"time"

	"versus/results"
)

// nullTarget is the harness's in-process target: its numbers are the floor
// of what the harness can measure, so it is shown as such and left out of
// comparisons between targets.
const nullTarget = "null"

// series is one (scenario, target, params) group of a run as a report sees
// it: a line in a plot and one side of a comparison. Series parameters (a
// schedule's via) are part of its label; the other parameters are its
// condition, under which it is compared with the scenario's other series.
type series struct {
	results.Group
	Label     string // "edge" or "edge via=alarm"
	Condition string // the other params, "delay=1s"; "" when none
	Model     string // the target's model: edge, integrated or other
	Style     int    // index into the plot styles, stable across the report

	merged *mergedCell
}

// scenario is a scenario's series, grouped by condition in the order the
// run produced them.
type scenario struct {
	Name, Kind string
	Conditions []string
	Series     []*series
}

// ofCondition lists the scenario's series under one condition.
func (s *scenario) ofCondition(cond string) []*series {
	var out []*series
	for _, x := range s.Series {
		if x.Condition == cond {
			out = append(out, x)
		}
	}
	return out
}

// runIndex is a run arranged for reporting.
type runIndex struct {
	Run       *results.Run
	Scenarios []*scenario
	models    map[string]string
	styles    map[string]int
}

// indexRun groups the run's cells into scenarios and series, giving each
// target its style first so targets keep the same look in every report.
func indexRun(r *results.Run) *runIndex {
	ix := &runIndex{Run: r, models: map[string]string{}, styles: map[string]int{}}
	for _, t := range r.Targets {
		ix.models[t.Name] = t.Model
		ix.style(t.Name)
	}
	byName := map[string]*scenario{}
	for _, g := range results.Groups(r) {
		sc, ok := byName[g.Scenario]
		if !ok {
			sc = &scenario{Name: g.Scenario, Kind: g.Kind}
			byName[g.Scenario] = sc
			ix.Scenarios = append(ix.Scenarios, sc)
		}
		label, cond := splitParams(g.Kind, g.Target, g.Params)
		s := &series{Group: g, Label: label, Condition: cond, Model: ix.models[g.Target], Style: ix.style(label)}
		if !slices.Contains(sc.Conditions, cond) {
			sc.Conditions = append(sc.Conditions, cond)
		}
		sc.Series = append(sc.Series, s)
	}
	return ix
}

// style gives each label the next plot style the first time it is seen,
// so a target keeps its colour, marker and dashes in every plot.
func (ix *runIndex) style(label string) int {
	if i, ok := ix.styles[label]; ok {
		return i
	}
	i := len(ix.styles)
	ix.styles[label] = i
	return i
}

// splitParams separates a group's params into its series label and its
// condition.
func splitParams(kind, target string, params map[string]string) (label, cond string) {
	label = target
	rest := maps.Clone(params)
	for _, k := range seriesParams[kind] {
		if v, ok := rest[k]; ok {
			label += " " + k + "=" + v
			delete(rest, k)
		}
	}
	return label, results.ParamsKey(rest)
}

// trials is the number of trials of the series that ran.
func (s *series) trials() int { return len(s.Cells) }

// trialValues returns, in milliseconds, quantile q of metric in each trial
// that observed it.
func (s *series) trialValues(metric string, q float64) []float64 {
	var out []float64
	for _, c := range s.Cells {
		h, ok := c.Metrics[metric]
		if !ok || h.Count() == 0 {
			continue
		}
		out = append(out, msOf(h.Quantile(q)))
	}
	return out
}

// mergedCell is a series' trials merged: histograms and counters add, and
// timelines align on each trial's own start so that second 3 is the third
// second of every trial, not of the run.
type mergedCell struct {
	Metrics  map[string]*results.Histogram
	Counters map[string]int64
	Errors   map[string]int64
	Failed   []string
}

// merge merges the trials once and keeps the result until release.
func (s *series) merge() *mergedCell {
	if s.merged != nil {
		return s.merged
	}
	m := &mergedCell{Metrics: map[string]*results.Histogram{}, Counters: map[string]int64{}, Errors: map[string]int64{}}
	for _, c := range s.Cells {
		for name, h := range c.Metrics {
			if mine, ok := m.Metrics[name]; ok {
				mine.Merge(h)
			} else {
				m.Metrics[name] = h.Clone()
			}
		}
		for k, v := range c.Counters {
			m.Counters[k] += v
		}
		for k, v := range c.Errors {
			m.Errors[k] += v
		}
		if c.Failed != "" {
			m.Failed = append(m.Failed, c.Failed)
		}
	}
	s.merged = m
	return m
}

// timeline merges the trials' timelines of metric on seconds since each
// trial's start. Timeline.Merge aligns on wall-clock start, so each trial's
// timeline is merged through a shallow copy re-based on a common zero;
// Merge only reads what it is given.
func (s *series) timeline(metric string) *results.Timeline {
	var out *results.Timeline
	for _, c := range s.Cells {
		tl, ok := c.Timelines[metric]
		if !ok || tl == nil {
			continue
		}
		if out == nil {
			out = results.NewTimeline(time.Time{}, tl.Step)
		}
		rebased := *tl
		rebased.Start = time.Time{}
		out.Merge(&rebased)
	}
	return out
}

// attempts is the number of operations a series attempted: the kind's
// attempt counter when it has one, else observations plus errors.
func (m *mergedCell) attempts(metric string) int64 {
	for _, name := range attemptCounters {
		if v, ok := m.Counters[name]; ok && v > 0 {
			return v
		}
	}
	n := m.errorCount()
	if h, ok := m.Metrics[metric]; ok {
		n += h.Count()
	}
	return n
}

func (m *mergedCell) errorCount() int64 {
	var n int64
	for _, v := range m.Errors {
		n += v
	}
	return n
}

// metricNames lists the merged metrics, the kind's primary metric first.
func (m *mergedCell) metricNames(kind string) []string {
	return primaryFirst(kind, slices.Sorted(maps.Keys(m.Metrics)))
}

// metricNames lists the metrics any trial observed, the kind's primary
// metric first, without merging the trials.
func (s *series) metricNames() []string {
	seen := map[string]bool{}
	for _, c := range s.Cells {
		for k := range c.Metrics {
			seen[k] = true
		}
	}
	return primaryFirst(s.Kind, slices.Sorted(maps.Keys(seen)))
}

// hasMetric reports whether any trial observed metric.
func (s *series) hasMetric(metric string) bool {
	for _, c := range s.Cells {
		if _, ok := c.Metrics[metric]; ok {
			return true
		}
	}
	return false
}

// counter sums a counter over the trials.
func (s *series) counter(name string) int64 {
	var n int64
	for _, c := range s.Cells {
		n += c.Counters[name]
	}
	return n
}

// release drops the merged trials: a report builds one scenario at a time
// and keeps only what it rendered, so memory holds the run and one
// scenario's merges, not every scenario's.
func (s *series) release() { s.merged = nil }

func primaryFirst(kind string, names []string) []string {
	if p, ok := primaryMetric[kind]; ok {
		if i := slices.Index(names, p); i > 0 {
			names = append([]string{p}, slices.Delete(names, i, i+1)...)
		}
	}
	return names
}

// errorClasses renders errors by class: "status_5xx=3 timeout=1".
func (m *mergedCell) errorClasses() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m.Errors)) {
		if m.Errors[k] > 0 {
			parts = append(parts, k+"="+itoa(m.Errors[k]))
		}
	}
	return strings.Join(parts, " ")
}

// msOf converts to milliseconds at the histograms' microsecond resolution.
func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
