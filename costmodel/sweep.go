package costmodel

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
)

// SweepRange is the span of traffic multipliers a sweep covers, in log
// steps.
type SweepRange struct {
	Min, Max       float64
	StepsPerDecade int
}

// DefaultRange sweeps from a hundredth of the profile to a thousand times
// it, 20 steps per decade.
var DefaultRange = SweepRange{Min: 0.01, Max: 1000, StepsPerDecade: 20}

func (r SweepRange) orDefault() SweepRange {
	if r == (SweepRange{}) {
		return DefaultRange
	}
	return r
}

func (r SweepRange) check() error {
	if !(r.Min > 0) || !(r.Max > r.Min) || math.IsInf(r.Max, 0) || r.StepsPerDecade < 1 || r.StepsPerDecade > 1000 {
		return fmt.Errorf("sweep range %g..%g in %d steps per decade: want 0 < min < max and 1 to 1000 steps", r.Min, r.Max, r.StepsPerDecade)
	}
	return nil
}

// multipliers lists the grid: Min x 10^(i/steps) up to Max, each rounded
// to 4 significant digits so the points read as 0.01, 0.01122, ... 1, ...
func (r SweepRange) multipliers() []float64 {
	var out []float64
	lo := math.Log10(r.Min)
	n := int(math.Round((math.Log10(r.Max) - lo) * float64(r.StepsPerDecade)))
	for i := 0; i <= n; i++ {
		m := math.Pow(10, lo+float64(i)/float64(r.StepsPerDecade))
		m, _ = strconv.ParseFloat(strconv.FormatFloat(m, 'g', 4, 64), 64)
		out = append(out, m)
	}
	return out
}

// ratOf turns a multiplier into an exact rational of its shortest decimal
// form, so 0.1 is 1/10 and not the binary float nearest to it.
func ratOf(m float64) *big.Rat {
	q, err := parseQuantity(strconv.FormatFloat(m, 'f', -1, 64))
	if err != nil {
		return new(big.Rat).SetFloat64(m)
	}
	return q
}

// SweepPoint is one plan's bill at one multiple of the profile.
type SweepPoint struct {
	Multiplier float64
	Catalog    string
	Platform   string
	Plan       string
	Total      Micro
	// Dollars is Total as a float, for plotting.
	Dollars float64
	// Feasible is false where the plan's caps cannot serve the traffic.
	Feasible bool
}

// Sweep bills the profile on each plan at every multiplier of the range,
// for a cost-versus-volume plot.
func Sweep(refs []PlanRef, p *Profile, opts Options) ([]SweepPoint, error) {
	rg := opts.Range.orDefault()
	if err := rg.check(); err != nil {
		return nil, err
	}
	var out []SweepPoint
	for _, ref := range refs {
		plan, err := ref.Catalog.Plan(ref.Plan)
		if err != nil {
			return nil, err
		}
		for _, m := range rg.multipliers() {
			b, err := billAt(ref.Catalog, ref.Plan, p, opts, ratOf(m))
			if err != nil {
				return nil, err
			}
			out = append(out, SweepPoint{Multiplier: m, Catalog: ref.Catalog.Name, Platform: plan.Platform, Plan: ref.Plan,
				Total: b.Total, Dollars: b.Total.Dollars(), Feasible: b.Feasible})
		}
	}
	return out, nil
}
