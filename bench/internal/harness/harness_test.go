package harness

import (
	"strings"
	"testing"

	"versus/results"
)

func TestMedian(t *testing.T) {
	cases := []struct {
		name string
		xs   []float64
		want float64
	}{
		{"no values give zero", nil, 0},
		{"one value is its own median", []float64{7}, 7},
		{"an odd count takes the middle one, unsorted", []float64{9, 1, 5}, 5},
		{"an even count averages the middle two", []float64{4, 1, 3, 2}, 2.5},
		{"one outlier does not move it", []float64{10, 11, 1000}, 11},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := append([]float64(nil), c.xs...)
			if got := Median(c.xs); got != c.want {
				t.Errorf("Median(%v) = %v, want %v", c.xs, got, c.want)
			}
			for i := range in {
				if in[i] != c.xs[i] {
					t.Fatalf("Median reordered its input: %v, was %v", c.xs, in)
				}
			}
		})
	}
}

func TestTailKeepsTheEnd(t *testing.T) {
	var tl tail
	if got := tl.String(); got != "(no output)" {
		t.Errorf("empty tail = %q, want (no output)", got)
	}
	tl.Write([]byte(strings.Repeat("a", tailSize)))
	tl.Write([]byte("the reason it failed\n"))
	got := tl.String()
	if !strings.HasSuffix(got, "the reason it failed") || len(got) > tailSize {
		t.Errorf("tail kept %d bytes ending %q, want at most %d ending with the last line", len(got), got[max(0, len(got)-30):], tailSize)
	}
}

func TestOutcomeLookups(t *testing.T) {
	o := &Outcome{Summary: results.Summary{
		Rows: []results.SummaryRow{
			{Scenario: "fan", Target: "edge", Params: map[string]string{"subscribers": "1"}, Metric: "last_delivery", P50: 1},
			{Scenario: "fan", Target: "edge", Params: map[string]string{"subscribers": "10"}, Metric: "last_delivery", P50: 10},
		},
		Counters: []results.SummaryCounter{
			{Scenario: "h", Target: "srv", Name: "sent", Value: 100},
			{Scenario: "h", Target: "srv", Name: "error.timeout", Value: 3},
			{Scenario: "h", Target: "srv", Name: "error.status_5xx", Value: 2},
			{Scenario: "h", Target: "other", Name: "error.timeout", Value: 50},
			{Scenario: "fan", Target: "edge", Params: map[string]string{"subscribers": "1"}, Name: "missing", Value: 4},
			{Scenario: "fan", Target: "edge", Params: map[string]string{"subscribers": "10"}, Name: "missing", Value: 6},
		},
	}}
	t.Run("a counter is summed over the cells its params match", func(t *testing.T) {
		if got := o.Counter("fan", "edge", nil, "missing"); got != 10 {
			t.Errorf("missing over every N = %d, want 10", got)
		}
		if got := o.Counter("fan", "edge", map[string]string{"subscribers": "10"}, "missing"); got != 6 {
			t.Errorf("missing at N=10 = %d, want 6", got)
		}
	})
	t.Run("errors add every class of one target only", func(t *testing.T) {
		if got := o.Errors("h", "srv", nil); got != 5 {
			t.Errorf("Errors = %d, want 5", got)
		}
	})
	t.Run("a row is found by its params", func(t *testing.T) {
		r, ok := o.Row("fan", "edge", map[string]string{"subscribers": "10"}, "last_delivery")
		if !ok || r.P50 != 10 {
			t.Errorf("Row = %+v, %v; want the N=10 row", r, ok)
		}
		if _, ok := o.Row("fan", "edge", nil, "delivery"); ok {
			t.Error("Row found a metric the summary does not have")
		}
	})
}

func TestFirstLines(t *testing.T) {
	cases := []struct {
		name, in string
		n        int
		want     string
	}{
		{"a panic is found below the progress lines", "suite x\ntrial 1/1 done\npanic: log scale\n\ngoroutine 1\nmore", 2, "panic: log scale | "},
		{"without a marker the output starts it", "one\ntwo\nthree", 2, "one | two"},
		{"short output is kept whole", "versus: bad flag", 3, "versus: bad flag"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := firstLines(c.in, c.n); got != c.want {
				t.Errorf("firstLines = %q, want %q", got, c.want)
			}
		})
	}
}
