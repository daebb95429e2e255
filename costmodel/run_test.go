package costmodel

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"versus/results"
)

func testRun() *results.Run {
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	// Counters named meter.<unit> go to the cell's meters, as the runner
	// records what a target's GET /meters counted.
	cell := func(scenario, kind, target string, trial int, params map[string]string, counters map[string]int64) *results.Cell {
		c := results.NewCell(scenario, kind, target, trial, params, now)
		for k, v := range counters {
			if unit, ok := strings.CutPrefix(k, "meter."); ok {
				c.AddMeter(unit, float64(v))
				continue
			}
			c.Add(k, v)
		}
		return c
	}
	skipped := cell("jobs", "schedule", "integrated", 0, nil, nil)
	skipped.Skipped = "target lacks capability schedule"
	return &results.Run{ID: "r1", Targets: []results.TargetInfo{
		{Name: "edge", Kind: "edge", Model: "edge"},
		{Name: "integrated", Kind: "integrated", Model: "integrated"},
		{Name: "mine", Kind: "contract", Model: "other"},
	}, Cells: []*results.Cell{
		// Two trials of 500 webhooks each on edge: the target metered
		// 1,000 requests, 2,500 CPU-ms, 900 rows written (some invalid
		// signatures store nothing).
		cell("stripe", "webhook", "edge", 1, nil, map[string]int64{"sent": 500, "meter.worker_requests": 500, "meter.worker_cpu_ms": 1250, "meter.d1_rows_written": 450}),
		cell("stripe", "webhook", "edge", 2, nil, map[string]int64{"sent": 500, "meter.worker_requests": 500, "meter.worker_cpu_ms": 1250, "meter.d1_rows_written": 450}),
		cell("chat", "subscribe", "integrated", 1, map[string]string{"subscribers": "10"}, map[string]int64{"published": 100, "delivered": 1000, "meter.convex_function_calls": 1150, "meter.bogus_unit": 3}),
		cell("items", "http", "mine", 1, map[string]string{"method": "PUT", "path": "/items/a"}, map[string]int64{"sent": 10}),
		skipped,
	}}
}

func TestUnitsFromRun(t *testing.T) {
	got, err := UnitsFromRun(testRun(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d groups, want 3 (trials added, skipped cells left out)", len(got))
	}
	find := func(ou OperationUnits, unit string) UnitComparison {
		for _, u := range ou.Units {
			if u.Unit == unit {
				return u
			}
		}
		t.Fatalf("%s/%s has no %s", ou.Scenario, ou.Target, unit)
		return UnitComparison{}
	}
	t.Run("adds trials and compares metered units with the workers mapping", func(t *testing.T) {
		edge := got[0]
		if edge.Platform != "workers" || len(edge.Operations) != 1 || edge.Operations[0] != (OperationCount{OpWebhook, 1000}) {
			t.Fatalf("edge: %+v", edge)
		}
		// Declared: 2 CPU-ms per webhook x 1,000 = 2,000; metered 2,500: +25%.
		cpu := find(edge, "worker_cpu_ms")
		if cpu.Declared.RatString() != "2000" || cpu.Measured.RatString() != "2500" || cpu.MeasuredPerOp.RatString() != "5/2" {
			t.Errorf("cpu %+v", cpu)
		}
		if pct, ok := cpu.DiffPercent(); !ok || pct != 25 {
			t.Errorf("diff %v %v", pct, ok)
		}
		// d1_rows_read is declared (1 per webhook) but not metered.
		if rr := find(edge, "d1_rows_read"); rr.Measured != nil || rr.Declared.RatString() != "1000" {
			t.Errorf("rows read %+v", rr)
		}
	})
	t.Run("uses the convex mapping and the sub-billing switch", func(t *testing.T) {
		chat := got[1]
		// per-subscriber: 100 publishes x 2 + 1,000 deliveries x 1 = 1,200.
		if c := find(chat, "convex_function_calls"); c.Declared.RatString() != "1200" || c.Measured.RatString() != "1150" {
			t.Errorf("calls %+v", c)
		}
		if !strings.Contains(strings.Join(chat.Notes, ";"), "metered unit bogus_unit: unknown") {
			t.Errorf("notes %v", chat.Notes)
		}
		perQuery, err := UnitsFromRun(testRun(), Options{Switches: map[string]string{SwitchConvexSubBilling: "per-query"}})
		if err != nil {
			t.Fatal(err)
		}
		// per-query: 100 publishes x (2 + 1) = 300.
		if c := find(perQuery[1], "convex_function_calls"); c.Declared.RatString() != "300" {
			t.Errorf("per-query calls %s", c.Declared.RatString())
		}
	})
	t.Run("names an item write and says when there is no platform", func(t *testing.T) {
		mine := got[2]
		if mine.Operations[0].Name != OpItemWrite || mine.Platform != "" || len(mine.Units) != 0 {
			t.Errorf("mine %+v", mine)
		}
	})
	t.Run("renders declared beside measured with the difference", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteMeasured(&buf, got); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, want := range []string{"scenario stripe on edge (workers): 1,000 webhook", "+25.0%", "not metered", "no platform"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
}
