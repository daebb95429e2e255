package reports

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// sweep builds a cost sweep of a flat plan and a per-request one.
func sweep() []CostPoint {
	var pts []CostPoint
	for _, m := range []float64{0.1, 1, 10, 100} {
		pts = append(pts,
			CostPoint{Multiplier: m, Series: "convex professional", Dollars: 25},
			CostPoint{Multiplier: m, Series: "workers paid", Dollars: 5 + 2*m})
	}
	return pts
}

func TestCrossovers(t *testing.T) {
	tests := []struct {
		name  string
		sweep []CostPoint
		want  []Crossover
	}{
		{"a flat plan and a growing one cross once", sweep(),
			// 5 + 2m = 25 at m = 10 exactly, a point of the sweep.
			[]Crossover{{A: "convex professional", B: "workers paid", Multiplier: 10, Dollars: 25, Cheaper: "convex professional"}}},
		{"series that never cross have no crossover", []CostPoint{{1, "a", 1}, {10, "a", 2}, {1, "b", 3}, {10, "b", 4}}, nil},
		{"a crossing between two points is interpolated on log volume", []CostPoint{{1, "a", 10}, {100, "a", 10}, {1, "b", 0}, {100, "b", 20}},
			[]Crossover{{A: "a", B: "b", Multiplier: 10, Dollars: 10, Cheaper: "a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Crossovers(tt.sweep)
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.A != w.A || g.B != w.B || g.Cheaper != w.Cheaper || math.Abs(g.Multiplier-w.Multiplier) > 1e-9 || math.Abs(g.Dollars-w.Dollars) > 1e-9 {
					t.Errorf("crossover %d: got %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestWriteWithCost(t *testing.T) {
	dir := t.TempDir()
	cost := &CostSection{
		Notes:       []string{"Profile: 1 M webhooks/month. Catalogs of 2026-09."},
		Tables:      []CostTable{{Caption: "Monthly bill", Header: []string{"target", "USD/month"}, Rows: [][]string{{"edge", "5.00"}, {"integrated", "25.00"}}}},
		Sweep:       append(sweep(), CostPoint{Multiplier: 0.01, Series: "free", Dollars: 0}),
		VolumeLabel: "traffic (multiple of the profile)",
	}
	claim := CostClaim()
	claim.Verdict, claim.Evidence = Confirmed, []string{"break-even at ×10"}
	if err := Write(dir, standardRun(t, 2), Options{Cost: cost, Claims: []Claim{claim}}); err != nil {
		t.Fatal(err)
	}
	page := readFile(t, filepath.Join(dir, HTMLFile))
	for _, want := range []string{"Monthly bill", "monthly cost (USD)", "Break-even points", "×10", "break-even at ×10",
		"cannot be drawn on the log scale", "Profile: 1 M webhooks/month"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Contains(page, "No cost model was given") {
		t.Error("the caller's cost claim was replaced by the not-measured row")
	}
	readFile(t, filepath.Join(dir, PlotDir, "11-cost-sweep.svg"))
}
