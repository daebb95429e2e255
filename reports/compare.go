package reports

import (
	"fmt"
	"io"
	"strings"

	"versus/results"
)

// Files WriteCompare writes, and the prefix of its plots.
const (
	CompareMarkdownFile = "compare.md"
	CompareHTMLFile     = "compare.html"
	comparePlotPrefix   = "compare-"
)

// runPair is two runs matched series by series: the same scenario, target
// (with series params) and condition in both.
type runPair struct {
	A, B         *runIndex
	shared       []pairedSeries
	onlyA, onlyB []string
	styles       map[string]int
}

type pairedSeries struct {
	Scenario *scenario // A's
	A, B     *series
}

func seriesKey(sc *scenario, s *series) string {
	return sc.Name + "\x00" + s.Label + "\x00" + s.Condition
}

func seriesName(sc *scenario, s *series) string {
	return sc.Name + " / " + s.Label + bracket(s.Condition)
}

// pairRuns matches the series of two runs; styles follow A's labels so a
// target has one colour for both of its lines.
func pairRuns(a, b *results.Run) *runPair {
	p := &runPair{A: indexRun(a), B: indexRun(b), styles: map[string]int{}}
	inB := map[string]*series{}
	for _, sc := range p.B.Scenarios {
		for _, s := range sc.Series {
			inB[seriesKey(sc, s)] = s
		}
	}
	inA := map[string]bool{}
	for _, sc := range p.A.Scenarios {
		for _, s := range sc.Series {
			k := seriesKey(sc, s)
			inA[k] = true
			if other, ok := inB[k]; ok {
				p.shared = append(p.shared, pairedSeries{Scenario: sc, A: s, B: other})
				p.style(s.Label)
			} else {
				p.onlyA = append(p.onlyA, seriesName(sc, s))
			}
		}
	}
	for _, sc := range p.B.Scenarios {
		for _, s := range sc.Series {
			if !inA[seriesKey(sc, s)] {
				p.onlyB = append(p.onlyB, seriesName(sc, s))
			}
		}
	}
	return p
}

func (p *runPair) style(label string) int {
	if i, ok := p.styles[label]; ok {
		return i
	}
	p.styles[label] = len(p.styles)
	return p.styles[label]
}

// comparisons tests, for each shared series, every metric both runs
// observed, per-trial p50 and p99; the ratio is B/A (after/before).
func (p *runPair) comparisons() []Comparison {
	var out []Comparison
	for _, ps := range p.shared {
		for _, metric := range ps.A.metricNames() {
			if !ps.B.hasMetric(metric) {
				continue
			}
			for _, st := range statistics {
				av, bv := ps.A.trialValues(metric, st.Quantile), ps.B.trialValues(metric, st.Quantile)
				out = append(out, Comparison{Scenario: ps.Scenario.Name, Kind: ps.Scenario.Kind, Condition: ps.A.Condition,
					Metric: metric, Statistic: st.Name, A: ps.A.Label, B: ps.B.Label, AValues: av, BValues: bv, Test: TestRatio(av, bv)})
			}
		}
	}
	return out
}

// beforeAfterTable renders comparisons of the same series in two runs.
func beforeAfterTable(comps []Comparison, trials int) table {
	t := table{
		Caption: "Run B against run A: per-trial values, B/A ratio (Hodges-Lehmann) with its 95% interval, Mann-Whitney p",
		Header:  []string{"scenario", "target", "params", "metric", "per trial", "A median (ms)", "B median (ms)", "B/A [95% CI]", "p", "change"},
		Numeric: []bool{false, false, false, false, false, true, true, true, true, true},
		Notes:   []string{TrialsNote(trials)},
	}
	for _, c := range comps {
		t.Rows = append(t.Rows, append([]cell{{Text: c.Scenario}, {Text: c.A}, {Text: c.Condition}, {Text: c.Metric}, {Text: c.Statistic}},
			statCells(c)...))
	}
	return t
}

// header describes the two runs in a sentence each.
func (p *runPair) header() []string {
	out := []string{
		fmt.Sprintf("A: run %s, suite %s, started %s", p.A.Run.ID, p.A.Run.Suite, fmtTime(p.A.Run.Started)),
		fmt.Sprintf("B: run %s, suite %s, started %s", p.B.Run.ID, p.B.Run.Suite, fmtTime(p.B.Run.Started)),
	}
	if p.A.Run.Suite != p.B.Run.Suite {
		out = append(out, fmt.Sprintf("The runs are of different suites (%s, %s): only what they share is compared.", p.A.Run.Suite, p.B.Run.Suite))
	}
	for _, r := range []*results.Run{p.A.Run, p.B.Run} {
		if r.Interrupted {
			out = append(out, fmt.Sprintf("Run %s was interrupted: it may lack trials or scenarios.", r.ID))
		}
	}
	return out
}

func (p *runPair) trials() int { return max(p.A.maxTrials(), p.B.maxTrials()) }

// Compare writes a before/after comparison of two runs to a terminal: for
// every series both ran, each metric's per-trial p50 and p99 compared, and
// what only one of them ran. Runs of different suites compare what they
// share.
func Compare(w io.Writer, a, b *results.Run) error {
	p := pairRuns(a, b)
	var sb strings.Builder
	for _, line := range p.header() {
		sb.WriteString(plainText(line) + "\n")
	}
	if len(p.shared) == 0 {
		sb.WriteString("The runs share no scenario, target and params: nothing to compare.\n")
	} else if err := renderTerminal(&sb, beforeAfterTable(p.comparisons(), p.trials())); err != nil {
		return err
	}
	for _, l := range p.unshared() {
		sb.WriteString(plainText(l) + "\n")
	}
	for _, l := range p.failures() {
		sb.WriteString(plainText(l) + "\n")
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// unshared lists what only one run has.
func (p *runPair) unshared() []string {
	var out []string
	for _, s := range p.onlyA {
		out = append(out, "Only in A: "+s)
	}
	for _, s := range p.onlyB {
		out = append(out, "Only in B: "+s)
	}
	return out
}

// failures lists each run's correctness failures.
func (p *runPair) failures() []string {
	var out []string
	for _, side := range []struct {
		name string
		r    *results.Run
	}{{"A", p.A.Run}, {"B", p.B.Run}} {
		for _, f := range CorrectnessFailures(side.r) {
			out = append(out, "Correctness failure in "+side.name+": "+f)
		}
	}
	return out
}

// WriteCompare writes compare.md and compare.html into dir, with the
// percentile spectra of both runs overlaid per scenario (A solid, B
// dashed) under plots/compare-*.svg.
func WriteCompare(dir string, a, b *results.Run) error {
	doc, err := buildComparison(pairRuns(a, b))
	if err != nil {
		return fmt.Errorf("compare %s: %w", dir, err)
	}
	return writeDocument(dir, doc, CompareMarkdownFile, CompareHTMLFile, comparePlotPrefix)
}

func buildComparison(p *runPair) (document, error) {
	doc := document{Title: fmt.Sprintf("Versus comparison: %s against %s", p.B.Run.ID, p.A.Run.ID),
		Subtitle: "A is the earlier run (before), B the later (after); ratios are B/A."}
	runs := section{ID: "runs", Title: "Runs"}
	meta := table{Header: []string{"field", "A", "B"}}
	meta.add("run", p.A.Run.ID, p.B.Run.ID)
	meta.add("suite", p.A.Run.Suite, p.B.Run.Suite)
	meta.add("started", fmtTime(p.A.Run.Started), fmtTime(p.B.Run.Started))
	meta.add("duration", fmtDuration(p.A.Run.Ended.Sub(p.A.Run.Started)), fmtDuration(p.B.Run.Ended.Sub(p.B.Run.Started)))
	meta.add("interrupted", yesNo(p.A.Run.Interrupted), yesNo(p.B.Run.Interrupted))
	meta.add("host", p.A.Run.Host.Hostname, p.B.Run.Host.Hostname)
	meta.add("versus", p.A.Run.Host.Versus, p.B.Run.Host.Versus)
	meta.add("trials", itoa(int64(p.A.maxTrials())), itoa(int64(p.B.maxTrials())))
	runs.table(meta)
	for _, l := range p.header()[2:] {
		runs.text(warn, l)
	}
	doc.Sections = append(doc.Sections, runs)

	comps := p.comparisons()
	figures := 0
	for _, sc := range p.A.Scenarios {
		sec := section{ID: "scenario-" + slug(sc.Name), Title: fmt.Sprintf("Scenario %s (%s)", sc.Name, sc.Kind)}
		metric := primaryMetric[sc.Kind]
		for _, cond := range sc.Conditions {
			c, ok := p.overlayChart(sc, cond, metric)
			if !ok {
				continue
			}
			figures++
			f, err := render(fmt.Sprintf("%02d-%s-%s", figures, slug(sc.Name), withCondition("spectrum", cond)),
				"Percentile spectra of "+describe(metric)+": run A solid, run B dashed, all trials of each run merged.", c)
			if err != nil {
				return document{}, fmt.Errorf("scenario %s: %w", sc.Name, err)
			}
			sec.figure(f)
		}
		if mine := scenarioComparisons(comps, sc.Name); len(mine) > 0 {
			sec.table(beforeAfterTable(mine, p.trials()))
		}
		if len(sec.Blocks) > 0 {
			doc.Sections = append(doc.Sections, sec)
		}
		for _, ps := range p.shared {
			if ps.Scenario == sc {
				ps.A.release()
				ps.B.release()
			}
		}
	}
	if l := p.unshared(); len(l) > 0 {
		sec := section{ID: "unshared", Title: "Not in both runs"}
		sec.list(warn, l)
		doc.Sections = append(doc.Sections, sec)
	}
	sec := section{ID: "correctness", Title: "Correctness"}
	if f := p.failures(); len(f) > 0 {
		sec.list(alarm, f)
	} else {
		sec.text(good, "No correctness failures in either run.")
	}
	doc.Sections = append(doc.Sections, sec)
	return doc, nil
}

// overlayChart draws, for every series both runs share under cond, the
// spectrum of metric in A (solid) and B (dashed).
func (p *runPair) overlayChart(sc *scenario, cond, metric string) (chart, bool) {
	c := chart{Title: titled(sc.Name, cond, metric+" percentiles, A and B"), XLabel: "percentile", YLabel: metric + " (ms)", XLog: true, XTicks: spectrumTicks}
	for _, ps := range p.shared {
		if ps.Scenario != sc || ps.A.Condition != cond {
			continue
		}
		for _, side := range []struct {
			s    *series
			name string
			tail bool
		}{{ps.A, " (A)", false}, {ps.B, " (B)", true}} {
			h, ok := side.s.merge().Metrics[metric]
			if !ok || h.Count() < 2 {
				continue
			}
			c.Lines = append(c.Lines, line{Label: side.s.Label + side.name, Points: spectrumPoints(h.Count(), distributionOf(h)),
				Style: p.style(side.s.Label), Stat: true, Tail: side.tail})
		}
	}
	c.YMin0 = true
	return c, len(c.Lines) > 0
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
