package costmodel

import (
	"strings"
	"testing"
	"time"
)

func TestBreakEvenStartup(t *testing.T) {
	cs := mustBuiltin(t)
	p, err := LoadProfile("startup")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := cs.Ref("cloudflare/workers-paid")
	b, _ := cs.Ref("convex/professional")
	for _, billing := range []string{"per-subscriber", "per-query"} {
		t.Run("Workers Paid against Convex Professional with "+billing+" billing", func(t *testing.T) {
			opts := Options{Switches: map[string]string{SwitchConvexSubBilling: billing}, Now: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
			r, err := BreakEven(a, b, p, opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Log("\n" + r.Describe())
			for _, s := range r.Assumptions {
				t.Log("assumption: " + s)
			}
			// Workers Paid starts at $5 against Professional's 3 seats x
			// $25 = $75 and grows slower ($20,676.05 against $120,040.23
			// at 1000x per subscriber): no crossing in range.
			if len(r.Crossings) != 0 || r.Cheaper != a.String() || !r.BothFit {
				t.Errorf("crossings %v cheaper %q", r.Crossings, r.Cheaper)
			}
			if r.AtMin != [2]Micro{5_000_000, 75_000_000} {
				t.Errorf("at 0.01x: %s vs %s, want $5.00 vs $75.00", r.AtMin[0], r.AtMin[1])
			}
		})
	}
}

func TestBreakEvenFindsAHandComputedCrossing(t *testing.T) {
	// golden-proxy (12,000,000 requests) on the article's figures:
	// Workers Paid = $5 + 12 m x $0.30 = 5 + 3.6 m; Convex Pro = $25 flat.
	// 5 + 3.6 m = 25 -> m = 20 / 3.6 = 5.5556 -> 5.56 (3 digits).
	cs := mustBuiltin(t)
	p, err := LoadProfile("testdata/golden-proxy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := cs.Ref("article/workers-paid")
	b, _ := cs.Ref("article/convex-pro")
	r, err := BreakEven(a, b, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + r.Describe())
	if len(r.Crossings) != 1 {
		t.Fatalf("crossings %v", r.Crossings)
	}
	c := r.Crossings[0]
	if c.Multiplier != 5.56 || c.CheaperBelow != a.String() || c.CheaperAbove != b.String() {
		t.Errorf("crossing %+v, want 5.56x with %s cheaper below", c, a)
	}
	// At 5.56x: 5 + 3.6 x 5.56 = 25.016 -> $25.02 against $25.00.
	if c.A != 25_016_000 || c.B != 25_000_000 {
		t.Errorf("bills at the crossing %s and %s", c.A, c.B)
	}
}

func TestBreakEvenReportsLimits(t *testing.T) {
	// golden-proxy on Workers Free: 12,000,000 m requests fit 3,000,000
	// free while m <= 0.25, so the limit is just above 0.25x.
	cs := mustBuiltin(t)
	p, _ := LoadProfile("testdata/golden-proxy.yaml")
	a, _ := cs.Ref("cloudflare/workers-free")
	b, _ := cs.Ref("cloudflare/workers-paid")
	r, err := BreakEven(a, b, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Limits) != 1 || !strings.Contains(r.Limits[0], "about 0.25") {
		t.Fatalf("limits %v", r.Limits)
	}
	if r.FitsAtMax[0] || !r.FitsAtMax[1] {
		t.Errorf("fits at 1000x: %v", r.FitsAtMax)
	}
}

func TestSweep(t *testing.T) {
	cs := mustBuiltin(t)
	p, _ := LoadProfile("hobby")
	a, _ := cs.Ref("cloudflare/workers-paid")
	b, _ := cs.Ref("convex/starter")
	pts, err := Sweep([]PlanRef{a, b}, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("covers 0.01x to 1000x in 20 steps a decade per plan", func(t *testing.T) {
		if len(pts) != 2*101 || pts[0].Multiplier != 0.01 || pts[100].Multiplier != 1000 || pts[40].Multiplier != 1 {
			t.Fatalf("%d points, first %g, last %g, 40th %g", len(pts), pts[0].Multiplier, pts[100].Multiplier, pts[40].Multiplier)
		}
	})
	t.Run("never gets cheaper as traffic grows", func(t *testing.T) {
		for i := 1; i < len(pts); i++ {
			if pts[i].Plan == pts[i-1].Plan && pts[i].Total < pts[i-1].Total {
				t.Fatalf("%s: %s at %gx after %s", pts[i].Plan, pts[i].Total, pts[i].Multiplier, pts[i-1].Total)
			}
		}
	})
	t.Run("matches Bill at 1x", func(t *testing.T) {
		one, err := Bill(a.Catalog, a.Plan, p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if pts[40].Total != one.Total || pts[40].Dollars != one.Total.Dollars() {
			t.Errorf("sweep %s, bill %s", pts[40].Total, one.Total)
		}
	})
	t.Run("refuses an empty range", func(t *testing.T) {
		if _, err := Sweep([]PlanRef{a}, p, Options{Range: SweepRange{Min: 10, Max: 1, StepsPerDecade: 5}}); err == nil {
			t.Fatal("no error")
		}
	})
}
