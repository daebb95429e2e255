package reports

import "strings"

// Scenario kinds and the metrics and counters a report knows them by. The
// names are the runner's; a kind or metric not listed here is still
// reported, in alphabetical order, without a dedicated plot.
const (
	kindHTTP      = "http"
	kindWebhook   = "webhook"
	kindSchedule  = "schedule"
	kindSubscribe = "subscribe"
	kindFanout    = "fanout"
)

// failureCounters are correctness failures: any value above zero means a
// target lost, duplicated, reordered or wrongly accepted something.
var failureCounters = map[string]bool{
	"accepted_invalid":  true,
	"rejected_valid":    true,
	"duplicates_stored": true,
	"lost":              true,
	"missed":            true,
	"duplicate_runs":    true,
	"missing":           true,
	"out_of_order":      true,
}

// warningCounters do not mean the target is wrong but that a number needs
// care: shortfall means the generator could not keep the rate, dropped that
// a subscriber fell behind and the harness shed messages.
var warningCounters = map[string]bool{
	"shortfall": true,
	"dropped":   true,
}

// IsFailureCounter reports whether a counter counts correctness failures.
func IsFailureCounter(name string) bool { return failureCounters[name] }

// keyCounters are the counters the terminal table shows per kind, in order.
var keyCounters = map[string][]string{
	kindHTTP:      {"sent", "ok", "shortfall"},
	kindWebhook:   {"sent", "accepted", "rejected_expected", "accepted_invalid", "rejected_valid", "duplicates_stored", "lost"},
	kindSchedule:  {"scheduled", "fired", "missed", "duplicate_runs"},
	kindSubscribe: {"published", "delivered", "missing", "out_of_order", "dropped"},
	kindFanout:    {"missing"},
}

// primaryMetric is the metric a kind's plots show.
var primaryMetric = map[string]string{
	kindHTTP:      "latency",
	kindWebhook:   "latency",
	kindSchedule:  "lateness_observed",
	kindSubscribe: "propagation",
	kindFanout:    "last_delivery",
}

// seriesParams are parameters that tell series apart rather than
// conditions: a scheduling mechanism is compared against another at the
// same delay, the way targets are compared against each other.
var seriesParams = map[string][]string{
	kindSchedule: {"via"},
}

// attemptCounters name the counter of operations attempted, per kind, so an
// error rate has a denominator even when failed operations recorded no
// latency.
var attemptCounters = []string{"sent", "published", "scheduled"}

// isMeter reports whether a counter is a billable unit the target metered.
func isMeter(name string) bool { return strings.HasPrefix(name, "meter.") }

// orderedCounters lists names with the kind's key counters first, then the
// rest alphabetically (names must already be sorted).
func orderedCounters(kind string, names []string) []string {
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	var out []string
	used := map[string]bool{}
	for _, k := range keyCounters[kind] {
		if have[k] {
			out = append(out, k)
			used[k] = true
		}
	}
	for _, n := range names {
		if !used[n] {
			out = append(out, n)
		}
	}
	return out
}
