package costmodel

import (
	"fmt"
	"math"
)

// BreakEvenResult says where two plans' bills cross as the profile's
// traffic scales.
type BreakEvenResult struct {
	A, B    PlanRef
	Profile string
	Range   SweepRange
	// Crossings in increasing multiplier; none means one plan is cheaper
	// (or they tie) across the whole range where both are feasible.
	Crossings []Crossing
	// AtMin and AtMax are the bills (A, B) at the ends of the range, and
	// whether each plan fits the traffic there.
	AtMin, AtMax         [2]Micro
	FitsAtMin, FitsAtMax [2]bool
	// Cheaper names the cheaper plan at the lowest multiplier where both
	// fit ("" for a tie, or when they never both fit: see BothFit).
	Cheaper string
	BothFit bool
	// Limits say where a plan stops being able to serve the traffic (the
	// multiplier found to 3 significant digits).
	Limits []string
	// Assumptions are those of both plans' bills at 1x.
	Assumptions []string
}

// Crossing is a multiplier where the cheaper plan changes.
type Crossing struct {
	// Multiplier is found to 3 significant digits.
	Multiplier float64
	// A and B are the bills there.
	A, B Micro
	// CheaperBelow and CheaperAbove name the cheaper plan on each side.
	CheaperBelow, CheaperAbove string
}

// comparePoint is both bills at one multiplier.
type comparePoint struct {
	m      float64
	a, b   *MonthlyBill
	usable bool
}

// BreakEven sweeps the profile from opts.Range.Min to Max (default 0.01x
// to 1000x) and finds where the bills of a and b cross. Between grid
// points that differ in sign the crossing is bisected in log space. Bills
// are piecewise linear in volume, so two crossings closer than one grid
// step can be missed; the grid is 20 steps per decade by default.
func BreakEven(a, b PlanRef, p *Profile, opts Options) (*BreakEvenResult, error) {
	rg := opts.Range.orDefault()
	if err := rg.check(); err != nil {
		return nil, err
	}
	if a.Catalog.Currency != b.Catalog.Currency {
		return nil, fmt.Errorf("break-even %s vs %s: prices in %s and %s cannot be compared", a, b, a.Catalog.Currency, b.Catalog.Currency)
	}
	at := func(m float64) (comparePoint, error) {
		ba, err := billAt(a.Catalog, a.Plan, p, opts, ratOf(m))
		if err != nil {
			return comparePoint{}, err
		}
		bb, err := billAt(b.Catalog, b.Plan, p, opts, ratOf(m))
		if err != nil {
			return comparePoint{}, err
		}
		return comparePoint{m: m, a: ba, b: bb, usable: ba.Feasible && bb.Feasible}, nil
	}
	res := &BreakEvenResult{A: a, B: b, Profile: p.Name, Range: rg}
	one, err := at(1)
	if err != nil {
		return nil, err
	}
	res.Assumptions = mergeAssumptions(one.a.Assumptions, one.b.Assumptions)

	grid := rg.multipliers()
	var prev, last *comparePoint
	for i, m := range grid {
		pt, err := at(m)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			res.AtMin = [2]Micro{pt.a.Total, pt.b.Total}
			res.FitsAtMin = [2]bool{pt.a.Feasible, pt.b.Feasible}
		}
		if i == len(grid)-1 {
			res.AtMax = [2]Micro{pt.a.Total, pt.b.Total}
			res.FitsAtMax = [2]bool{pt.a.Feasible, pt.b.Feasible}
		}
		if last != nil {
			for k, ref := range []PlanRef{a, b} {
				if fits(*last, k) && !fits(pt, k) {
					limit, err := bisectFit(*last, pt, k, at)
					if err != nil {
						return nil, err
					}
					res.Limits = append(res.Limits, fmt.Sprintf("%s fits up to about %gx the profile, then: %s", ref, limit.m, exceeded(limit, k)))
				}
			}
		}
		cur := pt
		last = &cur
		if !pt.usable {
			continue
		}
		if !res.BothFit {
			res.BothFit = true
			res.Cheaper = cheaper(pt, a, b)
		}
		s := sign(pt.a.Total - pt.b.Total)
		if s == 0 {
			continue
		}
		if prev != nil && sign(prev.a.Total-prev.b.Total) != s {
			c, err := bisect(*prev, pt, at)
			if err != nil {
				return nil, err
			}
			c.CheaperBelow, c.CheaperAbove = cheaper(*prev, a, b), cheaper(pt, a, b)
			res.Crossings = append(res.Crossings, c)
		}
		prev = &cur
	}
	if res.Cheaper == "" && prev != nil {
		res.Cheaper = cheaper(*prev, a, b)
	}
	return res, nil
}

func fits(pt comparePoint, k int) bool {
	if k == 0 {
		return pt.a.Feasible
	}
	return pt.b.Feasible
}

func exceeded(pt comparePoint, k int) string {
	bill := pt.a
	if k == 1 {
		bill = pt.b
	}
	if len(bill.Exceeded) == 0 {
		return "a cap is reached"
	}
	return bill.Exceeded[0]
}

// bisectFit finds, between lo (plan k fits) and hi (it does not), the
// first multiplier where it does not, to 3 significant digits.
func bisectFit(lo, hi comparePoint, k int, at func(float64) (comparePoint, error)) (comparePoint, error) {
	for hi.m/lo.m > 1.0005 {
		pt, err := at(math.Sqrt(lo.m * hi.m))
		if err != nil {
			return comparePoint{}, err
		}
		if fits(pt, k) {
			lo = pt
		} else {
			hi = pt
		}
	}
	pt, err := at(roundSig(hi.m, 3))
	if err != nil {
		return comparePoint{}, err
	}
	if fits(pt, k) {
		return hi, nil
	}
	return pt, nil
}

// bisect narrows the crossing between lo and hi (bills of opposite sign)
// to 3 significant digits of the multiplier.
func bisect(lo, hi comparePoint, at func(float64) (comparePoint, error)) (Crossing, error) {
	loSign := sign(lo.a.Total - lo.b.Total)
	for hi.m/lo.m > 1.0005 {
		mid := math.Sqrt(lo.m * hi.m)
		pt, err := at(mid)
		if err != nil {
			return Crossing{}, err
		}
		if pt.usable && sign(pt.a.Total-pt.b.Total) == loSign {
			lo = pt
		} else {
			hi = pt
		}
	}
	m := roundSig(math.Sqrt(lo.m*hi.m), 3)
	pt, err := at(m)
	if err != nil {
		return Crossing{}, err
	}
	return Crossing{Multiplier: m, A: pt.a.Total, B: pt.b.Total}, nil
}

func roundSig(x float64, digits int) float64 {
	if x == 0 {
		return 0
	}
	p := math.Pow(10, float64(digits)-math.Ceil(math.Log10(math.Abs(x))))
	return math.Round(x*p) / p
}

func sign(m Micro) int {
	switch {
	case m < 0:
		return -1
	case m > 0:
		return 1
	}
	return 0
}

func cheaper(pt comparePoint, a, b PlanRef) string {
	switch sign(pt.a.Total - pt.b.Total) {
	case -1:
		return a.String()
	case 1:
		return b.String()
	}
	return ""
}

func mergeAssumptions(lists ...[]string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range lists {
		for _, s := range l {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}
