package main

import (
	"math"
	"time"

	"versus/results"
)

// ksUniform is the Kolmogorov-Smirnov distance between the distribution
// in bars and the uniform distribution on (0, period):
//
//	D = sup_x |F_n(x) - U(x)|,  U(x) = min(max(x/period, 0), 1)
//
// F_n is a step function that jumps at each bar, so the supremum is
// reached at a jump, either just before it (F_n(v-) against U(v)) or at
// it (F_n(v) against U(v)). Each bar stands for its bucket's highest
// value; at three significant digits that moves no observation by more
// than 0.1% of itself. n is the number of observations.
func ksUniform(bars []results.Bar, period time.Duration) (d float64, n int64) {
	for _, b := range bars {
		n += b.Count
	}
	if n == 0 || period <= 0 {
		return 0, n
	}
	var below int64
	for _, b := range bars {
		u := math.Min(math.Max(float64(b.Value)/float64(period), 0), 1)
		before := float64(below) / float64(n)
		below += b.Count
		at := float64(below) / float64(n)
		d = math.Max(d, math.Max(math.Abs(at-u), math.Abs(before-u)))
	}
	return d, n
}

// ksCritical is the 5% critical value of the one-sample KS test for
// large n (the asymptotic 1.36/sqrt(n)): a D above it rejects uniformity
// at the 5% level.
func ksCritical(n int64) float64 {
	if n <= 0 {
		return math.Inf(1)
	}
	return 1.36 / math.Sqrt(float64(n))
}
