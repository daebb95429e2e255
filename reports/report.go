package reports

import (
	"fmt"
	"strings"
	"time"

	"versus/results"
)

// Options are what a report needs beyond the run.
type Options struct {
	// Cost is the cost model's section; nil leaves it out.
	Cost *CostSection
	// Claims are claims rated by the caller (the cost model's, see
	// CostClaim), shown after the claims the run rates itself.
	Claims []Claim
}

// buildReport arranges a run into the report document.
func buildReport(ix *runIndex, opts Options) (document, error) {
	r := ix.Run
	doc := document{Title: "Versus report: " + r.Suite, Subtitle: "Run " + r.ID}
	doc.Sections = append(doc.Sections, runSection(ix), targetsSection(r), claimsSection(ix, opts), correctnessSection(r))
	comps := ix.comparisons()
	figures := 0
	for _, sc := range ix.Scenarios {
		sec, err := scenarioSection(ix, sc, comps, &figures)
		if err != nil {
			return document{}, err
		}
		doc.Sections = append(doc.Sections, sec)
		for _, s := range sc.Series {
			s.release()
		}
	}
	if opts.Cost != nil {
		sec, err := costSection(ix, opts.Cost, &figures)
		if err != nil {
			return document{}, err
		}
		doc.Sections = append(doc.Sections, sec)
	}
	if g := gaps(ix); len(g) > 0 {
		sec := section{ID: "gaps", Title: "Gaps and notes"}
		sec.list(warn, g)
		doc.Sections = append(doc.Sections, sec)
	}
	if r.SuiteYAML != "" {
		sec := section{ID: "suite", Title: "Suite"}
		sec.pre("The suite file as run", r.SuiteYAML)
		doc.Sections = append(doc.Sections, sec)
	}
	return doc, nil
}

func runSection(ix *runIndex) section {
	r := ix.Run
	sec := section{ID: "run", Title: "Run"}
	meta := table{Header: []string{"field", "value"}}
	meta.add("run", r.ID)
	meta.add("suite", r.Suite)
	meta.add("started", fmtTime(r.Started))
	meta.add("ended", fmtTime(r.Ended))
	meta.add("duration", fmtDuration(r.Ended.Sub(r.Started)))
	if r.Interrupted {
		meta.Rows = append(meta.Rows, []cell{{Text: "interrupted"}, {Text: "yes: the run stopped early, missing cells are listed under Gaps", Level: alarm}})
	} else {
		meta.add("interrupted", "no")
	}
	if r.Shard != "" {
		meta.add("shard", r.Shard)
	}
	h := r.Host
	meta.add("host", fmt.Sprintf("%s (%s/%s, %d CPUs, %s, versus %s)", h.Hostname, h.OS, h.Arch, h.CPUs, h.GoVersion, h.Versus))
	meta.add("trials", fmt.Sprintf("up to %d per target", ix.maxTrials()))
	sec.table(meta)
	if floor := harnessFloor(ix); floor != "" {
		sec.text(plain, floor)
	} else {
		sec.text(warn, "No null target in this run: the harness floor (what part of a number is the harness) was not measured.")
	}
	if len(r.Topology) > 0 {
		sec.text(plain, "Network topology of the run:")
		sec.pre("", topologyText(r.Topology))
	} else {
		sec.text(plain, "No network topology: on one machine every hop is loopback.")
	}
	return sec
}

func targetsSection(r *results.Run) section {
	sec := section{ID: "targets", Title: "Targets"}
	t := table{Header: []string{"name", "kind", "model", "version", "location", "capabilities", "schedule via"}}
	for _, tg := range r.Targets {
		t.add(tg.Name, tg.Kind, tg.Model, tg.Version, tg.Location, strings.Join(tg.Capabilities, ", "), strings.Join(tg.ScheduleVia, ", "))
	}
	sec.table(t)
	return sec
}

func claimsSection(ix *runIndex, opts Options) section {
	sec := section{ID: "claims", Title: "The article's claims, measured"}
	sec.text(plain, `Claims of "Cloudflare Workers vs Convex: Two Serverless Models, Very Different Trade-Offs", each rated from this run's data.`)
	claims, general := ix.claims()
	t := claimsTable(withCostClaims(claims, opts.Claims))
	for _, c := range general {
		t.Notes = append(t.Notes, "Caveat for every claim: "+c)
	}
	sec.table(t)
	sec.text(plain, TrialsNote(ix.maxTrials()))
	return sec
}

func correctnessSection(r *results.Run) section {
	sec := section{ID: "correctness", Title: "Correctness"}
	if fails := CorrectnessFailures(r); len(fails) > 0 {
		sec.text(alarm, fmt.Sprintf("%d correctness failure(s): a target lost, duplicated, reordered or wrongly accepted something.", len(fails)))
		sec.list(alarm, fails)
	} else {
		sec.text(good, "No correctness failures: nothing was lost, duplicated, reordered, missed or wrongly accepted where the harness could check.")
	}
	return sec
}

// scenarioSection holds a scenario's plots and tables.
func scenarioSection(ix *runIndex, sc *scenario, comps []Comparison, figures *int) (section, error) {
	sec := section{ID: "scenario-" + slug(sc.Name), Title: fmt.Sprintf("Scenario %s (%s)", sc.Name, sc.Kind)}
	metric := primaryMetric[sc.Kind]
	if metric == "" && len(sc.Series) > 0 {
		if names := sc.Series[0].merge().metricNames(sc.Kind); len(names) > 0 {
			metric = names[0]
		}
	}
	if metric != "" {
		sec.text(plain, "Plots show "+describe(metric)+".")
	}
	add := func(kind, caption string, c chart, ok bool) error {
		if !ok {
			return nil
		}
		*figures++
		f, err := render(fmt.Sprintf("%02d-%s-%s", *figures, slug(sc.Name), kind), caption, c)
		if err != nil {
			return fmt.Errorf("scenario %s: %w", sc.Name, err)
		}
		sec.figure(f)
		return nil
	}
	switch sc.Kind {
	case kindFanout:
		for _, m := range []string{"last_delivery", "delivery"} {
			c, ok := fanoutChart(fmt.Sprintf("%s: %s against subscribers", sc.Name, m), sc, m)
			if err := add("fanout-"+slug(m), "p50 (solid) and p99 (dashed) of "+describe(m)+", per target, against the number of subscribers; log scales.", c, ok); err != nil {
				return sec, err
			}
		}
	case kindSchedule:
		for _, cond := range sc.Conditions {
			c, ok := latenessCDFChart(titled(sc.Name, cond, "lateness CDF"), sc.ofCondition(cond), metric)
			if err := add(withCondition("cdf", cond), "Share of jobs fired within a lateness, per target and mechanism: "+describe(metric)+".", c, ok); err != nil {
				return sec, err
			}
		}
	default:
		for _, cond := range sc.Conditions {
			ss := sc.ofCondition(cond)
			c, ok := spectrumChart(titled(sc.Name, cond, metric+" percentiles"), ss, metric)
			if err := add(withCondition("spectrum", cond), "Percentile spectrum, all trials merged: each step right adds a nine. A line stops where the observations run out.", c, ok); err != nil {
				return sec, err
			}
			c, ok = overTimeChart(titled(sc.Name, cond, metric+" over time"), ss, metric)
			if err := add(withCondition("time", cond), "Per-second p50 (solid) and p99 (dashed), seconds since each trial's start, trials merged: warm-up and stalls show here.", c, ok); err != nil {
				return sec, err
			}
		}
	}
	sec.table(latencyTable(sc))
	if t, ok := countersTable(sc); ok {
		sec.table(t)
	}
	if t, ok := metersTable(sc); ok {
		sec.table(t)
	}
	if mine := scenarioComparisons(comps, sc.Name); len(mine) > 0 {
		sec.table(comparisonTable(mine, ix.maxTrials()))
	}
	return sec, nil
}

// withCondition names a figure after its kind and condition.
func withCondition(kind, cond string) string {
	if cond == "" {
		return kind
	}
	return kind + "-" + slug(cond)
}

func titled(name, cond, what string) string {
	if cond != "" {
		return fmt.Sprintf("%s [%s]: %s", name, cond, what)
	}
	return name + ": " + what
}

func costSection(ix *runIndex, c *CostSection, figures *int) (section, error) {
	sec := section{ID: "cost", Title: "Cost"}
	for _, n := range c.Notes {
		sec.text(plain, n)
	}
	for _, ct := range c.Tables {
		t := table{Caption: ct.Caption, Header: ct.Header}
		for _, row := range ct.Rows {
			t.add(row...)
		}
		sec.table(t)
	}
	if ch, ok := costChart(c, ix.style); ok {
		*figures++
		f, err := render(fmt.Sprintf("%02d-cost-sweep", *figures), "Monthly bill of each series as traffic grows, log-log; dotted lines mark break-even volumes.", ch)
		if err != nil {
			return sec, fmt.Errorf("cost: %w", err)
		}
		sec.figure(f)
	}
	if t, ok := crossoverTable(c.Sweep); ok {
		sec.table(t)
	}
	return sec, nil
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "n/a"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
