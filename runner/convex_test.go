package runner

import (
	"context"
	"testing"

	"versus/results"
	"versus/scenarios"
	"versus/targets/convex/convexfake"

	_ "versus/targets/convex"
)

// The Convex adapter runs whole scenarios through the runner against the
// protocol fake: HTTP actions for /health, the sync protocol for
// subscriptions, and both publish paths. With mutations over the sync
// protocol, "visible" (the Transition at or past the mutation's
// timestamp) is timed beside the acknowledgement.
func TestTheConvexAdapterRunsSuitesAgainstTheFake(t *testing.T) {
	fake := convexfake.New()
	defer fake.Close()
	for _, via := range []string{"http", "mutation"} {
		t.Run("publishing via "+via, func(t *testing.T) {
			s, err := scenarios.Parse("t.yaml", []byte(`name: t
targets:
  - {name: cvx, kind: convex, url: `+fake.URL()+`, site_url: `+fake.SiteURL()+`, publish_via: `+via+`}
scenarios:
  - {name: health, kind: http, path: /health, rate: 50, duration: 500ms, warmup: 100ms}
  - {name: chat, kind: subscribe, subscribers: 10, rate: 50, duration: 500ms, warmup: 100ms}
  - {name: broadcast, kind: fanout, subscribers: [1, 20], messages: 3, rate: 10}
`))
			if err != nil {
				t.Fatal(err)
			}
			run, err := Run(context.Background(), s, Options{Dir: t.TempDir(), RunID: "cvx"})
			if err != nil {
				t.Fatal(err)
			}
			sum := results.Summarize(run)
			counters := map[string]int64{}
			for _, c := range sum.Counters {
				counters[c.Scenario+"."+c.Name] += c.Value
			}
			if counters["chat.published"] != 25 || counters["chat.delivered"] != 250 || counters["chat.missing"] != 0 {
				t.Errorf("chat: published %d delivered %d missing %d, want 25, 250, 0",
					counters["chat.published"], counters["chat.delivered"], counters["chat.missing"])
			}
			if counters["broadcast.missing"] != 0 || counters["broadcast.delivered"] != 3*1+3*20 {
				t.Errorf("broadcast: delivered %d missing %d", counters["broadcast.delivered"], counters["broadcast.missing"])
			}
			metrics := map[string]results.SummaryRow{}
			for _, r := range sum.Rows {
				metrics[r.Scenario+"."+r.Metric] = r
			}
			if r := metrics["chat.propagation"]; r.Count != 250 {
				t.Errorf("propagation count %d, want 250", r.Count)
			} else {
				t.Logf("via %s: propagation p50 %.2f ms p99 %.2f ms; ack p50 %.2f ms", via, r.P50, r.P99, metrics["chat.ack"].P50)
			}
			if v, ok := metrics["chat.visible"]; via == "mutation" && (!ok || v.Count != 25) {
				t.Errorf("visible: %+v, want 25 timings when publishing by mutation", v)
			} else if ok {
				t.Logf("via %s: visible p50 %.2f ms", via, v.P50)
			}
		})
	}
}
