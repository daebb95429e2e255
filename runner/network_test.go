package runner

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"versus/results"
	"versus/scenarios"

	_ "versus/targets/null"
)

func p50Of(t *testing.T, run *results.Run) float64 {
	t.Helper()
	for _, row := range results.Summarize(run).Rows {
		if row.Metric == "latency" {
			return row.P50
		}
	}
	t.Fatal("no latency row")
	return 0
}

// An injected 40 ms link reproduces: the null target reads 40 ms plus the
// harness floor, within 5%.
func TestAnInjectedLinkAddsItsRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	suite := func(topology string) *scenarios.Suite {
		s, err := scenarios.Parse("t.yaml", []byte("name: t\ntargets: [null]\n"+topology+
			"scenarios:\n  - {name: health, kind: http, path: /health, rate: 50, duration: 2s, warmup: 500ms}\n"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	floorRun, err := Run(context.Background(), suite(""), Options{Dir: t.TempDir(), RunID: "floor"})
	if err != nil {
		t.Fatal(err)
	}
	linked, err := Run(context.Background(), suite("topology: {client_region: 40ms}\n"), Options{Dir: t.TempDir(), RunID: "linked"})
	if err != nil {
		t.Fatal(err)
	}
	floor, got := p50Of(t, floorRun), p50Of(t, linked)
	want := 40 + floor
	off := (got - want) / want
	t.Logf("floor p50 %.3f ms; with a 40 ms link p50 %.3f ms; want %.3f ms: %+.2f%%", floor, got, want, off*100)
	if math.Abs(off) > 0.05 {
		t.Errorf("p50 %.3f ms is %+.1f%% from 40 ms + floor", got, off*100)
	}
	var topo LinkReport
	if err := json.Unmarshal(linked.Topology, &topo); err != nil {
		t.Fatal(err)
	}
	if topo.Links["client_region"].RTTms != 40 || topo.Targets["null"]["client_region"] != "injected" {
		t.Errorf("topology recorded as %+v", topo)
	}
}
