package reports

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"versus/results"
)

// Terminal writes the end-of-run summary: one row per scenario, target,
// params and metric with count, error rate, percentiles in milliseconds
// and the kind's key counters; correctness failures flagged and listed;
// the harness floor; the significant differences between targets; what
// the article's claims rated; what was skipped or is missing.
func Terminal(w io.Writer, r *results.Run) error {
	ix := indexRun(r)
	var b strings.Builder
	fmt.Fprintf(&b, "Run %s, suite %s: %d target(s), %s\n", plainText(r.ID), plainText(r.Suite), len(r.Targets), fmtDuration(r.Ended.Sub(r.Started)))
	if r.Interrupted {
		b.WriteString("INTERRUPTED: the run stopped early; every finished cell is below, the rest is missing.\n")
	}
	if err := renderTerminal(&b, terminalTable(ix)); err != nil {
		return err
	}
	if fails := CorrectnessFailures(r); len(fails) > 0 {
		fmt.Fprintf(&b, "\nCORRECTNESS FAILURES (%d):\n", len(fails))
		for _, f := range fails {
			b.WriteString("  ✗ " + f + "\n")
		}
	} else {
		b.WriteString("\nNo correctness failures.\n")
	}
	if floor := harnessFloor(ix); floor != "" {
		b.WriteString("\n" + plainText(floor) + "\n")
	}
	if len(r.Topology) > 0 {
		// The link delays when the report can read them, else the raw text.
		summary := string(r.Topology)
		if delays, err := linkDelays(r.Topology); err == nil && len(delays) > 0 {
			summary = topologySummary(delays)
		}
		b.WriteString("Topology: " + plainText(summary) + "\n")
	}
	if t, ok := terminalComparisons(ix); ok {
		b.WriteString("\n")
		if err := renderTerminal(&b, t); err != nil {
			return err
		}
	}
	claims, _ := ix.claims()
	b.WriteString("\nThe article's claims (details in report.html):\n")
	for _, c := range claims {
		fmt.Fprintf(&b, "  (%s) %s: %s\n", c.ID, c.Topic, strings.ToUpper(string(c.Verdict)))
	}
	for _, line := range gaps(ix) {
		b.WriteString(plainText(line) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// terminalTable is every series of the run on one table.
func terminalTable(ix *runIndex) table {
	header := []string{"scenario", "target", "params", "metric", "count", "errors"}
	for _, p := range percentiles {
		header = append(header, p.Name)
	}
	header = append(header, "max (ms)", "counters")
	t := table{Header: header, Numeric: append(numericFrom(len(header)-1, 4), false)}
	for _, sc := range ix.Scenarios {
		for _, s := range sc.Series {
			m := s.merge()
			counters := keyCounterCell(sc.Kind, m)
			for i, metric := range m.metricNames(sc.Kind) {
				h := m.Metrics[metric]
				row := []cell{{Text: sc.Name}, {Text: s.Label}, {Text: s.Condition}, {Text: metric},
					{Text: itoa(h.Count())}, {Text: fmtPercent(m.errorCount(), m.attempts(metric))}}
				for _, p := range percentiles {
					row = append(row, cell{Text: fmtMS(msOf(h.Quantile(p.Quantile)))})
				}
				row = append(row, cell{Text: fmtMS(msOf(h.Max()))})
				if i == 0 {
					row = append(row, counters)
				} else {
					row = append(row, cell{})
				}
				t.Rows = append(t.Rows, row)
			}
			if len(m.Metrics) == 0 {
				row := []cell{{Text: sc.Name}, {Text: s.Label}, {Text: s.Condition}, {Text: "(none)"}, {Text: "0"},
					{Text: fmtPercent(m.errorCount(), m.attempts(""))}, {}, {}, {}, {}, {}, counters}
				t.Rows = append(t.Rows, row)
			}
			s.release()
		}
	}
	return t
}

// keyCounterCell renders the kind's key counters and every failure counter
// above zero: "sent=1000 ok=998 ✗lost=2".
func keyCounterCell(kind string, m *mergedCell) cell {
	var parts []string
	c := cell{}
	shown := map[string]bool{}
	for _, k := range keyCounters[kind] {
		// Failure counters at zero are the norm: only the failures show.
		if v, ok := m.Counters[k]; ok && !(IsFailureCounter(k) && v == 0) {
			shown[k] = true
			parts = append(parts, counterText(k, v, &c))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m.Counters)) {
		if v := m.Counters[k]; !shown[k] && IsFailureCounter(k) && v > 0 {
			parts = append(parts, counterText(k, v, &c))
		}
	}
	if e := m.errorClasses(); e != "" {
		parts = append(parts, "errors: "+e)
	}
	c.Text = strings.Join(parts, " ")
	return c
}

func counterText(k string, v int64, c *cell) string {
	switch {
	case v > 0 && IsFailureCounter(k):
		c.Level = alarm
		return "✗" + k + "=" + itoa(v)
	case v > 0 && warningCounters[k]:
		c.Level = max(c.Level, warn)
		return "!" + k + "=" + itoa(v)
	}
	return k + "=" + itoa(v)
}

// terminalComparisons are the comparisons of each scenario's primary
// metric on per-trial medians: the headline, the rest is in the report.
func terminalComparisons(ix *runIndex) (table, bool) {
	t := table{Header: []string{"scenario", "params", "metric (per-trial p50)", "A", "B", "B/A [95% CI]", "p", "change"},
		Numeric: []bool{false, false, false, false, false, true, true, true}}
	for _, c := range ix.comparisons() {
		if c.Statistic != "p50" || c.Metric != primaryMetric[c.Kind] {
			continue
		}
		t.add(c.Scenario, c.Condition, c.Metric, c.A, c.B, c.Test.RatioString(), fmt.Sprintf("%.3f", c.Test.P), c.Test.Verdict())
	}
	t.Notes = []string{TrialsNote(ix.maxTrials())}
	return t, len(t.Rows) > 0
}

// renderTerminal draws a table with box characters; flagged cells carry
// their mark in the text (✗, !) so the flag survives without colour.
func renderTerminal(w io.Writer, t table) error {
	aligns := make([]tw.Align, len(t.Header))
	for i := range aligns {
		aligns[i] = tw.AlignLeft
		if t.numeric(i) {
			aligns[i] = tw.AlignRight
		}
	}
	cfg := tablewriter.NewConfigBuilder().
		WithHeaderAutoFormat(tw.Off).WithHeaderAutoWrap(tw.WrapNone).WithRowAutoWrap(tw.WrapNone).
		WithHeaderAlignment(tw.AlignLeft).Build()
	cfg.Row.Alignment.PerColumn = aligns
	cfg.Row.Merging.Mode = tw.MergeHierarchical
	tb := tablewriter.NewTable(w, tablewriter.WithConfig(cfg),
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleLight)})))
	tb.Header(sanitized(t.Header, plainText))
	for _, row := range t.Rows {
		texts := make([]string, len(row))
		for i, c := range row {
			texts[i] = plainText(c.Text)
		}
		if err := tb.Append(texts); err != nil {
			return fmt.Errorf("terminal table: %w", err)
		}
	}
	if err := tb.Render(); err != nil {
		return fmt.Errorf("terminal table: %w", err)
	}
	for _, n := range t.Notes {
		if _, err := fmt.Fprintln(w, plainText(n)); err != nil {
			return err
		}
	}
	return nil
}

func sanitized(texts []string, f func(string) string) []string {
	out := make([]string, len(texts))
	for i, s := range texts {
		out[i] = f(s)
	}
	return out
}
