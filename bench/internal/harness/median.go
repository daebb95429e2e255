package harness

import "sort"

// Median of xs (the mean of the middle two for an even count); 0 for none.
// Rounds on a shared machine are noisy: the median of alternating rounds
// resists the one round another process disturbed.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
