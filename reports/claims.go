package reports

import (
	"fmt"
	"slices"
	"strings"

	"versus/results"
)

// Verdict is how a run's data rate one of the article's claims.
type Verdict string

// Verdicts. A claim is confirmed only when every comparison that tests it
// is significant in the claimed direction, refuted when any is significant
// against it, and otherwise not significant.
const (
	Confirmed       Verdict = "confirmed"
	PartlyConfirmed Verdict = "partly confirmed"
	Mixed           Verdict = "mixed"
	Refuted         Verdict = "refuted"
	NotSignificant  Verdict = "not significant"
	NotMeasured     Verdict = "not measured"
)

// Claim is one claim of the comparison article and what the data say.
type Claim struct {
	// ID is the claim's letter: a to d come from the run, e (cost) from
	// the cost model through Options.Claims.
	ID    string
	Topic string
	// Quote is the article's own words.
	Quote string
	// Test says how the claim is measured.
	Test     string
	Verdict  Verdict
	Evidence []string
	Caveats  []string
}

// The claims, quoted from "Cloudflare Workers vs Convex: Two Serverless
// Models, Very Different Trade-Offs".
var (
	claimHTTP = Claim{ID: "a", Topic: "HTTP handlers and webhooks",
		Quote: "If your application state is in Convex, use Convex HTTP actions — you get transactional writes and zero additional latency. " +
			"In a Worker, that same flow requires calling out to an external database […], adding latency and a failure point.",
		Test: "webhook latency, per-trial p50: integrated-model targets (the handler writes to its own store) against edge-model targets (the handler crosses a hop to its state)"}
	claimSchedule = Claim{ID: "b", Topic: "Scheduling",
		Quote: "Winner for scheduling: Convex, by a significant margin.",
		Test:  "lateness of jobs scheduled with runAfter against Durable Object alarms, delayed queue messages and cron polling, same delay, per-trial p50"}
	claimRealtime = Claim{ID: "c", Topic: "Real-time",
		Quote: "Presence heartbeats flow through the Durable Object for low-latency broadcasting. […] Convex subscriptions handle it with zero additional infrastructure.",
		Test:  "subscription propagation and fan-out last delivery, per-trial p50: the edge model's Durable-Object-like relay against the integrated model's reactive subscriptions"}
	claimProximity = Claim{ID: "d", Topic: "Edge proximity",
		Quote: "Use Cloudflare Workers when: You need edge proximity — the code must run close to the user for latency reasons.",
		Test:  "GET /health latency, per-trial p50, edge-model against integrated-model targets, under a topology where the client is nearer the edge than the region"}
	claimCost = Claim{ID: "e", Topic: "Cost",
		Quote: "For a typical application backend, Convex's bundled pricing is simpler to reason about. […] For edge infrastructure and proxy layers, Workers' per-request pricing is extremely competitive.",
		Test:  "the cost model's monthly bills and break-even volumes"}
)

// Claims rates the article's claims a to d against the run. The cost
// claims (e) need the cost model: pass its rows in Options.Claims.
// Every claim carries every caveat that applies to it, those of the whole
// run included.
func Claims(r *results.Run) []Claim {
	claims, general := indexRun(r).claims()
	for i := range claims {
		claims[i].Caveats = append(claims[i].Caveats, general...)
	}
	return claims
}

// claims rates the claims; caveats that hold for the whole run come apart
// so that a table can print them once.
func (ix *runIndex) claims() (claims []Claim, general []string) {
	return []Claim{ix.claimHTTP(), ix.claimSchedule(), ix.claimRealtime(), ix.claimProximity()}, ix.generalCaveats()
}

// contest is one comparison testing a claim: the claim holds when
// Favoured is faster (lower) than Other on Metric.
type contest struct {
	Scenario, Condition string
	Other, Favoured     *series
	Metric              string
}

// rate tests every contest and rates the claim.
func rate(c Claim, contests []contest) Claim {
	if len(contests) == 0 {
		c.Verdict = NotMeasured
		return c
	}
	confirmed, refuted := 0, 0
	for _, k := range contests {
		a, b := k.Other.trialValues(k.Metric, 0.5), k.Favoured.trialValues(k.Metric, 0.5)
		t := TestRatio(a, b)
		t99 := TestRatio(k.Other.trialValues(k.Metric, 0.99), k.Favoured.trialValues(k.Metric, 0.99))
		switch {
		case t.Significant() && t.Ratio < 1:
			confirmed++
		case t.Significant() && t.Ratio > 1:
			refuted++
		}
		where := k.Scenario
		if k.Condition != "" {
			where += " [" + k.Condition + "]"
		}
		c.Evidence = append(c.Evidence, fmt.Sprintf("%s, %s: %s %s ms vs %s %s ms; p50 ratio %s, %s (%s); p99 ratio %s× (%s)",
			where, k.Metric, k.Favoured.Label, medianText(b), k.Other.Label, medianText(a),
			t.RatioString(), t.PString(), t.Verdict(), fmtRatio(t99.Ratio), t99.Verdict()))
		if need := TrialsForVerdict(); t.NA < need || t.NB < need {
			c.Caveats = appendOnce(c.Caveats, fmt.Sprintf("Some comparisons have fewer than %d trials a side: their smallest possible p-value is %.2g, so they cannot be significant.",
				need, MinP(t.NA, t.NB)))
		}
	}
	c.Verdict = verdictOf(confirmed, refuted, len(contests))
	return c
}

// verdictOf rates a claim from its comparisons: confirmed when every one
// is significant its way, partly when some are and none against, refuted
// when some are significant against it and none for it, mixed when both
// happen, not significant when none is either.
func verdictOf(confirmed, refuted, contests int) Verdict {
	switch {
	case confirmed == contests:
		return Confirmed
	case confirmed > 0 && refuted > 0:
		return Mixed
	case confirmed > 0:
		return PartlyConfirmed
	case refuted > 0:
		return Refuted
	default:
		return NotSignificant
	}
}

func medianText(v []float64) string {
	if len(v) == 0 {
		return "n/a"
	}
	return fmtMS(summarizeTrials(v).Center)
}

// byModel pairs every edge-model series with every integrated-model
// series of a scenario under each condition.
func (ix *runIndex) byModel(sc *scenario, metric string, integratedFavoured bool) []contest {
	var out []contest
	for _, cond := range sc.Conditions {
		for _, e := range sc.ofCondition(cond) {
			if e.Model != "edge" {
				continue
			}
			for _, i := range sc.ofCondition(cond) {
				if i.Model != "integrated" {
					continue
				}
				k := contest{Scenario: sc.Name, Condition: cond, Other: e, Favoured: i, Metric: metric}
				if !integratedFavoured {
					k.Other, k.Favoured = i, e
				}
				out = append(out, k)
			}
		}
	}
	return out
}

func (ix *runIndex) claimHTTP() Claim {
	var contests []contest
	for _, sc := range ix.Scenarios {
		if sc.Kind == kindWebhook {
			contests = append(contests, ix.byModel(sc, "latency", true)...)
		}
	}
	c := rate(claimHTTP, contests)
	if c.Verdict == NotMeasured {
		c.Evidence = []string{"No webhook scenario ran against both an edge-model and an integrated-model target."}
	}
	return c
}

// edgeSchedulers are the Workers mechanisms runAfter is held against.
var edgeSchedulers = []string{"alarm", "queue", "cron"}

func (ix *runIndex) claimSchedule() Claim {
	var contests []contest
	var failures []string
	for _, sc := range ix.Scenarios {
		if sc.Kind != kindSchedule {
			continue
		}
		for _, cond := range sc.Conditions {
			ss := sc.ofCondition(cond)
			for _, r := range ss {
				if r.Params["via"] != "runafter" || r.Model != "integrated" {
					continue
				}
				for _, k := range []string{"missed", "duplicate_runs"} {
					if n := r.counter(k); n > 0 {
						failures = append(failures, fmt.Sprintf("%s [%s] %s: %s = %d", sc.Name, cond, r.Label, k, n))
					}
				}
				for _, o := range ss {
					if o.Model != "edge" || !slices.Contains(edgeSchedulers, o.Params["via"]) {
						continue
					}
					metric := "lateness_observed"
					if !o.hasMetric(metric) {
						metric = "lateness_server"
					}
					contests = append(contests, contest{Scenario: sc.Name, Condition: cond, Other: o, Favoured: r, Metric: metric})
				}
			}
		}
	}
	c := rate(claimSchedule, contests)
	if c.Verdict == NotMeasured {
		c.Evidence = []string{"No schedule scenario ran runAfter beside an alarm, queue or cron mechanism."}
	}
	for _, f := range failures {
		c.Evidence = append(c.Evidence, "runAfter correctness failure: "+f)
	}
	c.Caveats = append(c.Caveats,
		"The article's argument is a capability (inline scheduling from any mutation); lateness is its measurable part.",
		"Cron lateness is bounded by the cron period (one minute on Cloudflare, shorter if the run set one); delayed queue messages have one-second granularity.")
	return c
}

func (ix *runIndex) claimRealtime() Claim {
	var contests []contest
	for _, sc := range ix.Scenarios {
		switch sc.Kind {
		case kindSubscribe:
			contests = append(contests, ix.byModel(sc, "propagation", false)...)
		case kindFanout:
			contests = append(contests, ix.byModel(sc, "last_delivery", false)...)
		}
	}
	c := rate(claimRealtime, contests)
	if c.Verdict == NotMeasured {
		c.Evidence = []string{"No subscribe or fan-out scenario ran against both an edge-model and an integrated-model target."}
	}
	c.Caveats = append(c.Caveats,
		"The two deliver different guarantees: the relay forwards a message, the subscription pushes the result of a committed, persisted change.")
	return c
}

func (ix *runIndex) claimProximity() Claim {
	delays, err := linkDelays(ix.Run.Topology)
	edge, okE := delays[linkClientEdge]
	region, okR := delays[linkClientRegion]
	c := claimProximity
	switch {
	case err != nil:
		c.Verdict = NotMeasured
		c.Evidence = []string{err.Error()}
		return c
	case len(ix.Run.Topology) == 0:
		c.Verdict = NotMeasured
		c.Evidence = []string{"The run has no topology: on one machine the client is as near the region as the edge. Run with a topology whose client_edge link is shorter than client_region."}
		return c
	case !okE || !okR || edge >= region:
		c.Verdict = NotMeasured
		c.Evidence = []string{fmt.Sprintf("The topology (%s) does not put the client nearer the edge (client_edge) than the region (client_region).", topologySummary(delays))}
		return c
	}
	var contests []contest
	for _, sc := range ix.Scenarios {
		if sc.Kind == kindHTTP && hitsHealth(sc) {
			contests = append(contests, ix.byModel(sc, "latency", false)...)
		}
	}
	c = rate(c, contests)
	if c.Verdict == NotMeasured {
		c.Evidence = []string{"No HTTP scenario on /health ran against both an edge-model and an integrated-model target."}
	}
	c.Caveats = append(c.Caveats, fmt.Sprintf("Links as the topology set them: %s.", topologySummary(delays)))
	return c
}

// hitsHealth reports whether an HTTP scenario requests GET /health: by its
// path parameter, or by its name when the cells carry no path.
func hitsHealth(sc *scenario) bool {
	for _, s := range sc.Series {
		if p, ok := s.Params["path"]; ok {
			return p == "/health"
		}
	}
	return strings.Contains(strings.ToLower(sc.Name), "health")
}

// generalCaveats apply to every claim of the run.
func (ix *runIndex) generalCaveats() []string {
	var out []string
	for _, t := range ix.Run.Targets {
		if t.Location == "embedded" && (t.Model == "edge" || t.Model == "integrated") {
			out = append(out, "Embedded targets are reference models of the platforms, faithful in structure (hops, who owns state, polling against push), not the platforms' runtimes.")
			break
		}
	}
	if len(ix.Run.Topology) == 0 {
		out = append(out, "No topology was set: on one machine every hop is loopback, where a network hop costs tens of microseconds instead of the milliseconds of a real network.")
	}
	return out
}

// claimsTable renders claims, the caller's after the run's.
func claimsTable(claims []Claim) table {
	t := table{Caption: "The article's claims, measured",
		Header: []string{"claim", "the article says", "measured as", "verdict", "evidence", "caveats"}}
	for _, c := range claims {
		v := cell{Text: string(c.Verdict)}
		switch c.Verdict {
		case Confirmed:
			v.Level = good
		case Refuted:
			v.Level = alarm
		case NotSignificant, PartlyConfirmed, Mixed:
			v.Level = warn
		}
		t.Rows = append(t.Rows, []cell{{Text: "(" + c.ID + ") " + c.Topic}, {Text: c.Quote}, {Text: c.Test}, v,
			{Text: strings.Join(c.Evidence, "\n")}, {Text: strings.Join(c.Caveats, "\n")}})
	}
	t.Notes = []string{"A claim is confirmed when every comparison testing it is significant (p < 0.05) in the claimed direction, " +
		"partly confirmed when some are and none is significant against it, refuted when some are against it and none for it, " +
		"mixed when both happen, not significant otherwise. Ratios are favoured/other: below 1 means the claim's side is faster."}
	return t
}

// withCostClaims appends the caller's claims, or says the cost claim was
// not measured when there are none.
func withCostClaims(claims, extra []Claim) []Claim {
	if len(extra) == 0 {
		c := claimCost
		c.Verdict = NotMeasured
		c.Evidence = []string{"No cost model was given to this report."}
		return append(claims, c)
	}
	return append(claims, extra...)
}
