package reports

import (
	"fmt"
	"maps"
	"slices"

	"versus/results"
)

// CorrectnessFailures lists every correctness failure of the run, one line
// each: scenario, target (with params), counter and value summed over
// trials. An empty list means no target lost, duplicated, reordered or
// wrongly accepted anything the harness could check.
func CorrectnessFailures(r *results.Run) []string {
	var out []string
	for _, g := range results.Groups(r) {
		sums := map[string]int64{}
		for _, c := range g.Cells {
			for k, v := range c.Counters {
				if IsFailureCounter(k) {
					sums[k] += v
				}
			}
		}
		for _, k := range slices.Sorted(maps.Keys(sums)) {
			if sums[k] <= 0 {
				continue
			}
			where := g.Target
			if p := results.ParamsKey(g.Params); p != "" {
				where += " [" + p + "]"
			}
			out = append(out, plainText(fmt.Sprintf("%s / %s: %s = %d (over %d trial(s))", g.Scenario, where, k, sums[k], len(g.Cells))))
		}
	}
	return out
}
