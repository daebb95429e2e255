package reports

import (
	"fmt"
	"slices"

	"versus/results"
)

// statistics are the per-trial values compared between series: a
// difference in the median and one in the tail are different findings.
var statistics = []struct {
	Name     string
	Quantile float64
}{{"p50", 0.50}, {"p99", 0.99}}

// Comparison is one statistical comparison of two series of a scenario
// under one condition, on one metric and one per-trial statistic.
type Comparison struct {
	Scenario, Kind string
	// Condition is the params both series share ("subscribers=100").
	Condition string
	Metric    string
	// Statistic is the per-trial value compared: "p50" or "p99".
	Statistic string
	// A and B name the series: a target, with its series params
	// ("edge via=alarm"). The ratio is B/A.
	A, B string
	// AValues and BValues are the per-trial values in milliseconds.
	AValues, BValues []float64
	Test             RatioTest
}

// Comparisons compares every pair of series of every scenario under each
// shared condition, on every metric both observed in at least two trials,
// per-trial p50 and p99.
// The null target is the harness floor, not a contender, and is left out.
// Pairs follow the run's target order, A before B.
func Comparisons(r *results.Run) []Comparison {
	return indexRun(r).comparisons()
}

func (ix *runIndex) comparisons() []Comparison {
	var out []Comparison
	for _, sc := range ix.Scenarios {
		for _, cond := range sc.Conditions {
			var contenders []*series
			for _, s := range sc.ofCondition(cond) {
				if s.Target != nullTarget {
					contenders = append(contenders, s)
				}
			}
			for i, a := range contenders {
				for _, b := range contenders[i+1:] {
					out = append(out, comparePair(sc, cond, a, b)...)
				}
			}
		}
	}
	return out
}

func comparePair(sc *scenario, cond string, a, b *series) []Comparison {
	var out []Comparison
	for _, metric := range a.metricNames() {
		if !b.hasMetric(metric) {
			continue
		}
		for _, st := range statistics {
			av, bv := a.trialValues(metric, st.Quantile), b.trialValues(metric, st.Quantile)
			if len(av) < 2 || len(bv) < 2 {
				continue // one trial a side is no sample: nothing to test
			}
			out = append(out, Comparison{Scenario: sc.Name, Kind: sc.Kind, Condition: cond, Metric: metric,
				Statistic: st.Name, A: a.Label, B: b.Label, AValues: av, BValues: bv, Test: TestRatio(av, bv)})
		}
	}
	return out
}

// comparisonTable renders comparisons of one scenario.
func comparisonTable(comps []Comparison, trials int) table {
	t := table{
		Caption: "Comparisons: per-trial values, B/A ratio (Hodges-Lehmann) with its 95% interval, Mann-Whitney p",
		Header:  []string{"params", "metric", "per trial", "A", "B", "A median (ms)", "B median (ms)", "B/A [95% CI]", "p", "change"},
		Numeric: []bool{false, false, false, false, false, true, true, true, true, true},
		Notes:   []string{TrialsNote(trials)},
	}
	for _, c := range comps {
		t.Rows = append(t.Rows, append([]cell{{Text: c.Condition}, {Text: c.Metric}, {Text: c.Statistic}, {Text: c.A}, {Text: c.B}},
			statCells(c)...))
	}
	return t
}

// statCells are the columns every comparison table ends with: both
// medians, the ratio with its interval, p, and the verdict.
func statCells(c Comparison) []cell {
	verdict := cell{Text: c.Test.Verdict()}
	if c.Test.Significant() {
		verdict.Level = strong
	}
	return []cell{{Text: medianCI(c.AValues)}, {Text: medianCI(c.BValues)}, {Text: c.Test.RatioString()},
		{Text: fmt.Sprintf("%.3f", c.Test.P)}, verdict}
}

// medianCI prints the median of per-trial values with benchmath's
// distribution-free interval when the trials allow one.
func medianCI(v []float64) string {
	if len(v) == 0 {
		return "n/a"
	}
	s := summarizeTrials(v)
	if s.Warnings != nil {
		return fmtMS(s.Center)
	}
	return fmt.Sprintf("%s [%s, %s]", fmtMS(s.Center), fmtMS(s.Lo), fmtMS(s.Hi))
}

// maxTrials is the largest trial count of any series.
func (ix *runIndex) maxTrials() int {
	n := 0
	for _, sc := range ix.Scenarios {
		for _, s := range sc.Series {
			n = max(n, s.trials())
		}
	}
	return n
}

// scenarioComparisons keeps the comparisons of one scenario.
func scenarioComparisons(all []Comparison, name string) []Comparison {
	return slices.DeleteFunc(slices.Clone(all), func(c Comparison) bool { return c.Scenario != name })
}
