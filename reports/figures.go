package reports

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// figure is a rendered plot with what a reader needs to read it.
type figure struct {
	Name    string // file name in plots/, without extension
	Title   string
	Caption string
	SVG     []byte
}

// spectrumTicks label the percentile axis, whose position is 1/(1-p) on a
// log scale: each "nine" added to a percentile is one more decade.
var spectrumTicks = []plot.Tick{
	{Value: 2, Label: "50%"}, {Value: 10, Label: "90%"}, {Value: 100, Label: "99%"},
	{Value: 1000, Label: "99.9%"}, {Value: 10000, Label: "99.99%"},
}

// spectrumChart draws the percentile spectrum of metric for each series,
// from p50 to p99.99 or as far as the observations reach: a percentile
// needs at least 1/(1-p) observations to mean anything.
func spectrumChart(title string, ss []*series, metric string) (chart, bool) {
	c := chart{Title: title, XLabel: "percentile", YLabel: metric + " (ms)", XLog: true, XTicks: spectrumTicks}
	var lo, hi float64 = math.Inf(1), 0
	for _, s := range ss {
		h, ok := s.merge().Metrics[metric]
		if !ok || h.Count() < 2 {
			continue
		}
		pts := spectrumPoints(h.Count(), distributionOf(h))
		for _, pt := range pts {
			lo, hi = math.Min(lo, pt.Y), math.Max(hi, pt.Y)
		}
		c.Lines = append(c.Lines, line{Label: s.Label, Points: pts, Style: s.Style})
	}
	c.YLog = hi > 0 && lo > 0 && hi/lo > 10
	c.YMin0 = !c.YLog
	return c, len(c.Lines) > 0
}

// spectrumPoints samples a distribution from p50 to p99.99, or as far as
// count observations support.
func spectrumPoints(count int64, d distribution) plotter.XYs {
	top := min(10000, float64(count))
	var pts plotter.XYs
	for i := 0; i <= 48; i++ {
		x := 2 * math.Pow(5000, float64(i)/48) // 2 .. 10000
		if x > top*(1+1e-9) {
			break
		}
		pts = append(pts, plotter.XY{X: x, Y: d.quantile(1 - 1/x)})
	}
	return pts
}

// overTimeChart draws each series' per-second p50 (solid) and p99
// (dashed), seconds counted from each trial's start, trials merged.
func overTimeChart(title string, ss []*series, metric string) (chart, bool) {
	c := chart{Title: title, XLabel: "time since the phase started (s)", YLabel: metric + " (ms)"}
	var lo, hi float64 = math.Inf(1), 0
	for _, s := range ss {
		tl := s.timeline(metric)
		if tl == nil {
			continue
		}
		var p50, p99 plotter.XYs
		for _, pt := range tl.Points() {
			a, b := msOf(pt.P50), msOf(pt.P99)
			p50 = append(p50, plotter.XY{X: pt.At.Seconds(), Y: a})
			p99 = append(p99, plotter.XY{X: pt.At.Seconds(), Y: b})
			lo, hi = math.Min(lo, a), math.Max(hi, b)
		}
		if len(p50) < 2 {
			continue
		}
		c.Lines = append(c.Lines, line{Label: s.Label + " p50", Points: p50, Style: s.Style, Stat: true},
			line{Label: s.Label + " p99", Points: p99, Style: s.Style, Stat: true, Tail: true})
	}
	c.YLog = hi > 0 && lo > 0 && hi/lo > 10
	c.YMin0 = !c.YLog
	return c, len(c.Lines) > 0
}

// fanoutChart draws, per target, p50 (solid) and p99 (dashed) of metric
// against the number of subscribers, both on log scales.
func fanoutChart(title string, sc *scenario, metric string) (chart, bool) {
	c := chart{Title: title, XLabel: "subscribers (N)", YLabel: metric + " (ms)", XLog: true, YLog: true}
	type point struct{ n, p50, p99 float64 }
	byLabel := map[string][]point{}
	var order []*series
	for _, s := range sc.Series {
		n, err := strconv.ParseFloat(s.Params["subscribers"], 64)
		h, ok := s.merge().Metrics[metric]
		if err != nil || n <= 0 || !ok || h.Count() == 0 {
			continue
		}
		if _, seen := byLabel[s.Label]; !seen {
			order = append(order, s)
		}
		d := distributionOf(h)
		byLabel[s.Label] = append(byLabel[s.Label], point{n, d.quantile(0.5), d.quantile(0.99)})
	}
	for _, s := range order {
		pts := byLabel[s.Label]
		slices.SortFunc(pts, func(a, b point) int { return compareFloat(a.n, b.n) })
		var p50, p99 plotter.XYs
		for _, p := range pts {
			p50 = append(p50, plotter.XY{X: p.n, Y: p.p50})
			p99 = append(p99, plotter.XY{X: p.n, Y: p.p99})
		}
		c.Lines = append(c.Lines, line{Label: s.Label + " p50", Points: p50, Style: s.Style, Stat: true},
			line{Label: s.Label + " p99", Points: p99, Style: s.Style, Stat: true, Tail: true})
	}
	return c, len(c.Lines) > 0
}

// latenessCDFChart draws, per series, the share of jobs that fired no
// later than x: a step function of the whole distribution, so a cron's
// period and a queue's second granularity show as plateaus.
func latenessCDFChart(title string, ss []*series, metric string) (chart, bool) {
	c := chart{Title: title, XLabel: metric + " (ms, log scale)", YLabel: "share of jobs fired (cumulative)", XLog: true, YMin0: true}
	for _, s := range ss {
		h, ok := s.merge().Metrics[metric]
		if !ok || h.Count() == 0 {
			continue
		}
		d := distributionOf(h)
		pts := make(plotter.XYs, 0, len(d.values)+1)
		pts = append(pts, plotter.XY{X: d.values[0], Y: 0})
		for i, v := range d.values {
			pts = append(pts, plotter.XY{X: v, Y: float64(d.cum[i]) / float64(d.total)})
		}
		c.Lines = append(c.Lines, line{Label: s.Label, Points: thin(pts, 200), Style: s.Style, Steps: true})
	}
	return c, len(c.Lines) > 0
}

// thin keeps at most n points of a monotone series, always the last, so
// that a CDF of thousands of buckets stays a small SVG.
func thin(pts plotter.XYs, n int) plotter.XYs {
	if len(pts) <= n {
		return pts
	}
	step := float64(len(pts)-1) / float64(n-1)
	out := make(plotter.XYs, 0, n)
	for i := range n {
		out = append(out, pts[int(math.Round(float64(i)*step))])
	}
	return out
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// render turns a chart into a figure.
func render(name, caption string, c chart) (figure, error) {
	svg, err := c.svg()
	if err != nil {
		return figure{}, err
	}
	return figure{Name: name, Title: c.Title, Caption: caption, SVG: svg}, nil
}

// describe names a metric for a caption.
func describe(metric string) string {
	if d, ok := metricMeaning[metric]; ok {
		return fmt.Sprintf("%s (%s)", metric, d)
	}
	return metric
}

var metricMeaning = map[string]string{
	"latency":           "from the intended send time, so a stalled generator does not hide queueing",
	"service_time":      "from the actual send time",
	"lateness_server":   "fired_at - scheduled_for on the target's clock",
	"lateness_observed": "arrival of the fired notification - (send time + delay) on the harness clock",
	"propagation":       "delivery time - publish send time, one monotonic clock",
	"ack":               "publish response time",
	"delivery":          "every delivery to every subscriber",
	"last_delivery":     "per message, the slowest subscriber",
}
