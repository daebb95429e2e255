package reports

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"versus/results"
)

// slowed copies a run, adding extra to every observation of one scenario
// and target.
func slowed(t *testing.T, r *results.Run, scenario, target string, extra time.Duration) *results.Run {
	t.Helper()
	out := *r
	out.ID = r.ID + "-after"
	out.Cells = nil
	for _, c := range r.Cells {
		cp := results.NewCell(c.Scenario, c.Kind, c.Target, c.Trial, c.Params, c.Started)
		for name, h := range c.Metrics {
			add := time.Duration(0)
			if c.Scenario == scenario && c.Target == target {
				add = extra
			}
			for _, b := range h.Bars() {
				for range b.Count {
					cp.Observe(name, c.Started, b.Value+add)
				}
			}
		}
		for k, v := range c.Counters {
			cp.Add(k, v)
		}
		out.Cells = append(out.Cells, cp)
	}
	return &out
}

func TestCompare(t *testing.T) {
	before := standardRun(t, 5)
	t.Run("a run compared with itself changes nowhere", func(t *testing.T) {
		var buf bytes.Buffer
		if err := Compare(&buf, before, before); err != nil {
			t.Fatal(err)
		}
		for _, c := range pairRuns(before, before).comparisons() {
			if c.Test.Significant() {
				t.Errorf("%s %s %s %s: significant against itself: %+v", c.Scenario, c.A, c.Metric, c.Statistic, c.Test)
			}
		}
		if regexp.MustCompile(`[+-][0-9.]+%`).MatchString(buf.String()) {
			t.Errorf("a change printed against itself:\n%s", buf.String())
		}
	})
	t.Run("a webhook slowed by 2 ms over five trials is a significant change", func(t *testing.T) {
		after := slowed(t, before, "stripe", "edge", 2*time.Millisecond)
		found := false
		for _, c := range pairRuns(before, after).comparisons() {
			switch {
			case c.Scenario == "stripe" && c.A == "edge" && c.Metric == "latency" && c.Statistic == "p50":
				found = true
				if !c.Test.Significant() || c.Test.Ratio < 1.7 || c.Test.Ratio > 2.3 {
					t.Errorf("2 ms on a 2 ms median: %+v", c.Test)
				}
			case c.Scenario != "stripe" && c.Test.Significant():
				t.Errorf("untouched %s %s %s changed: %+v", c.Scenario, c.A, c.Metric, c.Test)
			}
		}
		if !found {
			t.Fatal("no comparison of stripe / edge latency")
		}
	})
	t.Run("runs of different suites compare what they share and list the rest", func(t *testing.T) {
		f := newFixture(8, edgeTarget)
		f.run.Suite = "other-suite"
		for trial := 1; trial <= 2; trial++ {
			f.cell("stripe", kindWebhook, "edge", trial, nil, 50, map[string]func() time.Duration{"latency": f.lognormal(2*time.Millisecond, 0.2)}, nil)
			f.cell("fresh", kindHTTP, "edge", trial, nil, 50, map[string]func() time.Duration{"latency": f.lognormal(time.Millisecond, 0.2)}, nil)
		}
		var buf bytes.Buffer
		if err := Compare(&buf, before, f.run); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, want := range []string{"different suites", "Only in A: health / null", "Only in B: fresh / edge", "stripe"} {
			if !strings.Contains(out, want) {
				t.Errorf("comparison lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "Only in A: stripe / edge") {
			t.Error("a shared series is listed as not shared")
		}
	})
}

func TestWriteCompare(t *testing.T) {
	dir := t.TempDir()
	before := standardRun(t, 5)
	if err := Write(dir, before, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteCompare(dir, before, slowed(t, before, "stripe", "edge", 2*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	page := readFile(t, filepath.Join(dir, CompareHTMLFile))
	for _, want := range []string{"Run B against run A", "edge (A)", "edge (B)", `<td class="strong num">`} {
		if !strings.Contains(page, want) {
			t.Errorf("compare.html lacks %q", want)
		}
	}
	md := readFile(t, filepath.Join(dir, CompareMarkdownFile))
	if !strings.Contains(md, "plots/compare-") {
		t.Error("compare.md links no comparison plot")
	}
	// The report's own plots survive the comparison's rendering.
	if !strings.Contains(readFile(t, filepath.Join(dir, MarkdownFile)), "plots/01-health-spectrum.svg") {
		t.Fatal("report.md changed")
	}
	readFile(t, filepath.Join(dir, PlotDir, "01-health-spectrum.svg"))
}
