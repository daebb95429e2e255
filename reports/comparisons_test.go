package reports

import (
	"testing"
	"time"

	"versus/results"
)

// twins is a run of two targets: b's observations are a's plus extra.
func twins(trials int, extra time.Duration) *results.Run {
	f := newFixture(21, results.TargetInfo{Name: "a", Model: "edge"}, results.TargetInfo{Name: "b", Model: "integrated"})
	for trial := 1; trial <= trials; trial++ {
		draw := f.lognormal(3*time.Millisecond, 0.3)
		var values []time.Duration
		for range 300 {
			values = append(values, draw())
		}
		for _, tg := range []struct {
			name  string
			extra time.Duration
		}{{"a", 0}, {"b", extra}} {
			i := 0
			f.cell("stripe", kindWebhook, tg.name, trial, nil, len(values), map[string]func() time.Duration{
				"latency": func() time.Duration { i++; return values[(i-1)%len(values)] + tg.extra }}, nil)
		}
	}
	return f.run
}

func TestComparisons(t *testing.T) {
	t.Run("a target compared with its own data is never significant", func(t *testing.T) {
		comps := Comparisons(twins(5, 0))
		if len(comps) != 2 {
			t.Fatalf("%d comparisons, want p50 and p99 of latency", len(comps))
		}
		for _, c := range comps {
			if c.Test.Verdict() != "~" || c.Test.Ratio != 1 {
				t.Errorf("%s %s: %+v, want ~ and ratio 1", c.Metric, c.Statistic, c.Test)
			}
		}
	})
	t.Run("a target slowed by a fixed 2 ms over five trials is significantly slower", func(t *testing.T) {
		for _, c := range Comparisons(twins(5, 2*time.Millisecond)) {
			if !c.Test.Significant() || c.Test.Ratio <= 1 || c.A != "a" || c.B != "b" {
				t.Errorf("%s %s: %+v, want b significantly slower", c.Metric, c.Statistic, c.Test)
			}
		}
	})
	t.Run("one trial a side gives nothing to compare", func(t *testing.T) {
		if comps := Comparisons(twins(1, 2*time.Millisecond)); len(comps) != 0 {
			t.Fatalf("%d comparisons of single trials", len(comps))
		}
	})
	t.Run("the null target is not compared", func(t *testing.T) {
		for _, c := range Comparisons(standardRun(t, 2)) {
			if c.A == nullTarget || c.B == nullTarget {
				t.Fatalf("null compared: %+v", c)
			}
		}
	})
}
