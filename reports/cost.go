package reports

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"
)

// CostSection is the cost model's output, rendered by its caller into rows
// so that reports needs nothing of costmodel.
type CostSection struct {
	// Notes are the assumptions and sources printed above the tables:
	// the traffic profile, the catalogs and the dates they reflect.
	Notes  []string
	Tables []CostTable
	// Sweep is the monthly bill of each series (a target on a plan) at
	// each multiple of the traffic profile. With two or more series it is
	// drawn on log-log axes with every break-even point marked.
	Sweep []CostPoint
	// VolumeLabel says what multiplier 1 is, for the x axis:
	// "traffic (multiple of the profile: 1 = 1 M webhooks/month)".
	VolumeLabel string
}

// CostTable is one pre-rendered table: a monthly bill, a unit breakdown.
type CostTable struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// CostPoint is one series' monthly bill at a multiple of the profile.
type CostPoint struct {
	Multiplier float64
	Series     string
	Dollars    float64
}

// Crossover is a volume at which two series cost the same.
type Crossover struct {
	A, B       string
	Multiplier float64
	Dollars    float64
	// Cheaper is the series that costs less above the crossover.
	Cheaper string
}

// CostClaim is the article's cost claim with its quote and test filled
// in: the cost model sets Verdict, Evidence and Caveats and passes it in
// Options.Claims.
func CostClaim() Claim { return claimCost }

// Crossovers finds where each pair of series in a sweep cross: at a volume
// where they cost the same and the cheaper one changes, or, between two
// consecutive volumes where the difference changes sign, at the point
// interpolated linearly in dollars against log volume.
func Crossovers(sweep []CostPoint) []Crossover {
	bySeries := map[string]map[float64]float64{}
	var order []string
	for _, p := range sweep {
		if _, ok := bySeries[p.Series]; !ok {
			bySeries[p.Series] = map[float64]float64{}
			order = append(order, p.Series)
		}
		bySeries[p.Series][p.Multiplier] = p.Dollars
	}
	var out []Crossover
	for i, a := range order {
		for _, b := range order[i+1:] {
			out = append(out, crossings(a, b, bySeries[a], bySeries[b])...)
		}
	}
	return out
}

// crossings finds where series a and b, as bills by multiplier, cross.
func crossings(a, b string, ca, cb map[float64]float64) []Crossover {
	var xs []float64
	for x := range ca {
		if _, ok := cb[x]; ok && x > 0 {
			xs = append(xs, x)
		}
	}
	slices.Sort(xs)
	var out []Crossover
	// zeroAt is the first volume since the previous point at which the two
	// cost exactly the same: if the sign then changes, they cross there.
	prevX, prevD, zeroAt := 0.0, 0.0, 0.0
	for _, x := range xs {
		d := ca[x] - cb[x]
		if d == 0 {
			if zeroAt == 0 {
				zeroAt = x
			}
			continue
		}
		if prevD != 0 && (d > 0) != (prevD > 0) {
			cx, dollars := zeroAt, ca[zeroAt]
			if zeroAt == 0 {
				f := prevD / (prevD - d)
				cx = math.Exp(math.Log(prevX) + f*(math.Log(x)-math.Log(prevX)))
				dollars = ca[prevX] + f*(ca[x]-ca[prevX])
			}
			cheaper := a
			if d > 0 {
				cheaper = b
			}
			out = append(out, Crossover{A: a, B: b, Multiplier: cx, Dollars: dollars, Cheaper: cheaper})
		}
		prevX, prevD, zeroAt = x, d, 0
	}
	return out
}

// costChart draws the sweep on log-log axes with break-even marks.
func costChart(c *CostSection, styleOf func(string) int) (chart, bool) {
	xlabel := c.VolumeLabel
	if xlabel == "" {
		xlabel = "traffic volume (multiple of the profile)"
	}
	ch := chart{Title: "Monthly cost against traffic volume", XLabel: xlabel, YLabel: "monthly cost (USD)", XLog: true, YLog: true}
	bySeries := map[string]plotter.XYs{}
	var order []string
	for _, p := range c.Sweep {
		if _, ok := bySeries[p.Series]; !ok {
			order = append(order, p.Series)
		}
		bySeries[p.Series] = append(bySeries[p.Series], plotter.XY{X: p.Multiplier, Y: p.Dollars})
	}
	for _, s := range order {
		pts := bySeries[s]
		slices.SortFunc(pts, func(a, b plotter.XY) int { return compareFloat(a.X, b.X) })
		ch.Lines = append(ch.Lines, line{Label: s, Points: pts, Style: styleOf(s)})
	}
	for _, x := range Crossovers(c.Sweep) {
		ch.Marks = append(ch.Marks, vmark{X: x.Multiplier, Label: fmt.Sprintf("×%s", fmtRatio(x.Multiplier))})
	}
	return ch, len(order) >= 1
}

// crossoverTable lists the break-even points of a sweep.
func crossoverTable(sweep []CostPoint) (table, bool) {
	xs := Crossovers(sweep)
	t := table{Caption: "Break-even points", Header: []string{"series", "and", "cost the same at", "monthly cost (USD)", "cheaper above it"},
		Numeric: []bool{false, false, true, true, false}}
	for _, x := range xs {
		t.add(x.A, x.B, "×"+fmtRatio(x.Multiplier), fmt.Sprintf("%.2f", x.Dollars), x.Cheaper)
	}
	if zero := zeroSeries(sweep); len(zero) > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("Bills of $0 (inside a free tier) cannot be drawn on the log scale and are left off the plot: %v.", zero))
	}
	return t, len(xs) > 0 || len(t.Notes) > 0
}

// zeroSeries names the series with a $0 bill somewhere in the sweep.
func zeroSeries(sweep []CostPoint) []string {
	zero := map[string]bool{}
	for _, p := range sweep {
		if p.Dollars <= 0 {
			zero[p.Series] = true
		}
	}
	return slices.Sorted(maps.Keys(zero))
}
