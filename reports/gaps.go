package reports

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"versus/results"
)

// gaps says what a reader will not find in the report and why: scenarios
// skipped for a target, scenarios a target never reached (in an
// interrupted run), series with fewer trials than the others, cells that failed, and
// the run's own notes.
func gaps(ix *runIndex) []string {
	r := ix.Run
	var out []string
	type pair struct{ scenario, target string }
	seen := map[pair]bool{}
	var scenarios []string
	for _, c := range r.Cells {
		if !slices.Contains(scenarios, c.Scenario) {
			scenarios = append(scenarios, c.Scenario)
		}
		p := pair{c.Scenario, c.Target}
		if c.Skipped != "" && !seen[p] {
			out = append(out, fmt.Sprintf("Skipped: %s for target %s: %s", c.Scenario, c.Target, c.Skipped))
		}
		seen[p] = true
	}
	kinds := map[string]string{}
	for _, c := range r.Cells {
		kinds[c.Scenario] = c.Kind
	}
	for _, sc := range scenarios {
		for _, t := range r.Targets {
			// In a finished run an absent pair was left out by the suite
			// (a scenario's targets list); in an interrupted one, a target
			// with the capability may simply not have been reached.
			if r.Interrupted && !seen[pair{sc, t.Name}] && canRun(t, kinds[sc]) {
				out = append(out, fmt.Sprintf("Missing: %s never ran against target %s%s.", sc, t.Name, interruptedHint(r)))
			}
		}
	}
	most := ix.maxTrials()
	for _, sc := range ix.Scenarios {
		for _, s := range sc.Series {
			if n := s.trials(); n < most {
				out = append(out, fmt.Sprintf("Missing trials: %s / %s%s has %d of %d trials%s.", sc.Name, s.Label, bracket(s.Condition), n, most, interruptedHint(r)))
			}
			for _, c := range s.Cells {
				if c.Failed != "" {
					out = append(out, fmt.Sprintf("Failed: %s / %s%s trial %d ended early, its data so far is kept: %s", sc.Name, s.Label, bracket(s.Condition), c.Trial, c.Failed))
				}
			}
		}
	}
	for _, n := range r.Notes {
		out = append(out, "Note: "+n)
	}
	return out
}

// kindCapability is the target capability a scenario kind needs.
var kindCapability = map[string]string{
	kindHTTP: "http", kindWebhook: "webhook", kindSchedule: "schedule", kindSubscribe: "subscribe", kindFanout: "subscribe",
}

func canRun(t results.TargetInfo, kind string) bool {
	need, ok := kindCapability[kind]
	return !ok || slices.Contains(t.Capabilities, need)
}

func interruptedHint(r *results.Run) string {
	if r.Interrupted {
		return " (the run was interrupted)"
	}
	return ""
}

func bracket(s string) string {
	if s == "" {
		return ""
	}
	return " [" + s + "]"
}

// harnessFloor describes the null target's HTTP latency: the part of any
// number that is the harness itself. Empty when the run has no null target.
func harnessFloor(ix *runIndex) string {
	for _, sc := range ix.Scenarios {
		if sc.Kind != kindHTTP {
			continue
		}
		for _, s := range sc.Series {
			h, ok := s.merge().Metrics["latency"]
			if s.Target != nullTarget || !ok || h.Count() == 0 {
				continue
			}
			text := fmt.Sprintf("Harness floor (target null, answered in-process, scenario %s): latency p50 %s ms, p99 %s ms, p99.9 %s ms over %d requests. "+
				"A difference between targets smaller than this may be the harness, not the target.",
				sc.Name, fmtMS(msOf(h.Quantile(0.5))), fmtMS(msOf(h.Quantile(0.99))), fmtMS(msOf(h.Quantile(0.999))), h.Count())
			if link, rtt, ok := nullLink(ix.Run.Topology); ok {
				text += fmt.Sprintf(" Under this topology null sits behind the %s link (%s ms injected): the harness and the proxy add p50 minus the link, %s ms.",
					link, fmtMS(msOf(rtt)), fmtMS(msOf(h.Quantile(0.5)-rtt)))
			}
			return text
		}
	}
	return ""
}

// nullLink says which injected link the null target sat behind, as the
// runner records per target which links were injected.
func nullLink(raw json.RawMessage) (string, time.Duration, bool) {
	if len(raw) == 0 {
		return "", 0, false
	}
	var t struct {
		Targets map[string]map[string]string `json:"targets"`
	}
	if json.Unmarshal(raw, &t) != nil {
		return "", 0, false
	}
	delays, err := linkDelays(raw)
	if err != nil {
		return "", 0, false
	}
	for link, how := range t.Targets[nullTarget] {
		if how == "injected" && delays[link] > 0 {
			return link, delays[link], true
		}
	}
	return "", 0, false
}
