package reports

import (
	"sort"

	"versus/results"
)

// distribution is a histogram's cumulative form in milliseconds, built in
// one pass so that a plot can ask for many quantiles cheaply (a quantile
// of the histogram itself walks every bucket).
type distribution struct {
	values []float64 // bucket values, ascending
	cum    []int64   // observations at or below values[i]
	total  int64
}

func distributionOf(h *results.Histogram) distribution {
	var d distribution
	for _, b := range h.Bars() {
		d.total += b.Count
		d.values = append(d.values, msOf(b.Value))
		d.cum = append(d.cum, d.total)
	}
	return d
}

// quantile is the smallest value with at least q of the observations at
// or below it.
func (d distribution) quantile(q float64) float64 {
	if d.total == 0 {
		return 0
	}
	rank := max(int64(q*float64(d.total)+0.5), 1)
	i := sort.Search(len(d.cum), func(i int) bool { return d.cum[i] >= rank })
	return d.values[min(i, len(d.values)-1)]
}
