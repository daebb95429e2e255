package reports

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"golang.org/x/perf/benchmath"
)

// Alpha is the significance level of every comparison: a difference is
// reported only when the Mann-Whitney U test gives p < Alpha.
const Alpha = 0.05

// confidence is the level of every confidence interval.
const confidence = 1 - Alpha

// RatioTest compares two sets of per-trial values (one value per trial,
// such as each trial's median latency) without assuming a distribution.
type RatioTest struct {
	// Ratio is the Hodges-Lehmann estimate of B/A: the median over every
	// pair (a, b) of b/a, taken on a log scale so that A/B is exactly its
	// reciprocal.
	Ratio float64
	// Lo and Hi bound Ratio at Confidence (Moses' distribution-free
	// interval). With too few trials there is no such interval: Lo is 0
	// and Hi is +Inf.
	Lo, Hi     float64
	Confidence float64
	// P is the two-sided Mann-Whitney U p-value from benchmath.
	P      float64
	NA, NB int
}

// TestRatio compares per-trial values a and b (positive numbers, such as
// milliseconds; others are left out as missing).
func TestRatio(a, b []float64) RatioTest {
	a, b = positive(a), positive(b)
	t := RatioTest{Ratio: math.NaN(), Lo: 0, Hi: math.Inf(1), P: 1, NA: len(a), NB: len(b)}
	if len(a) == 0 || len(b) == 0 {
		return t
	}
	// benchmath sorts the values it is given, so it gets copies.
	thresholds := &benchmath.Thresholds{CompareAlpha: Alpha}
	cmp := benchmath.AssumeNothing.Compare(
		benchmath.NewSample(slices.Clone(a), thresholds),
		benchmath.NewSample(slices.Clone(b), thresholds))
	t.P = cmp.P

	// Pairwise log-ratios log(b_j) - log(a_i): their median is the
	// Hodges-Lehmann shift of log values, and their order statistics
	// d(k) and d(nm+1-k) bound it with probability 1 - 2 P(U <= k-1).
	d := make([]float64, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			d = append(d, math.Log(y)-math.Log(x))
		}
	}
	slices.Sort(d)
	t.Ratio = math.Exp(median(d))
	if k, level := mosesRank(len(a), len(b), Alpha); k > 0 {
		t.Lo, t.Hi, t.Confidence = math.Exp(d[k-1]), math.Exp(d[len(d)-k]), level
	}
	return t
}

// Significant reports whether the difference is beyond the noise.
func (t RatioTest) Significant() bool { return t.P < Alpha }

// Verdict is benchstat's way of saying it: "~" when the difference is not
// significant, otherwise the change of B against A in percent.
func (t RatioTest) Verdict() string {
	if !t.Significant() || math.IsNaN(t.Ratio) {
		return "~"
	}
	return fmt.Sprintf("%+.1f%%", (t.Ratio-1)*100)
}

// RatioString is the ratio with its interval: "1.23× [1.10, 1.41]".
func (t RatioTest) RatioString() string {
	if math.IsNaN(t.Ratio) {
		return "n/a"
	}
	if math.IsInf(t.Hi, 1) {
		return fmt.Sprintf("%s× (no CI: < %d trials)", fmtRatio(t.Ratio), ciTrials())
	}
	return fmt.Sprintf("%s× [%s, %s]", fmtRatio(t.Ratio), fmtRatio(t.Lo), fmtRatio(t.Hi))
}

// PString is the p-value with the sample sizes: "p=0.008 n=5+5".
func (t RatioTest) PString() string {
	if t.NA == t.NB {
		return fmt.Sprintf("p=%.3f n=%d", t.P, t.NA)
	}
	return fmt.Sprintf("p=%.3f n=%d+%d", t.P, t.NA, t.NB)
}

// MinP is the smallest two-sided p-value a Mann-Whitney test can reach
// with n and m values: when every value of one side is below every value
// of the other, p = 2 / C(n+m, n). With 3 trials a side it is 0.1, so no
// difference can be significant; with 4 it is 0.029.
func MinP(n, m int) float64 {
	if n == 0 || m == 0 {
		return 1
	}
	// log C(n+m, n) through lgamma, exact enough for any trial count.
	lc, _ := math.Lgamma(float64(n + m + 1))
	ln, _ := math.Lgamma(float64(n + 1))
	lm, _ := math.Lgamma(float64(m + 1))
	return math.Min(1, 2*math.Exp(-(lc-ln-lm)))
}

// TrialsForVerdict is the fewest trials per target with which a
// difference can be significant at Alpha.
func TrialsForVerdict() int {
	n := 1
	for MinP(n, n) >= Alpha {
		n++
	}
	return n
}

// ciTrials is the fewest trials per target that give a finite interval.
func ciTrials() int {
	n := 1
	for k, _ := mosesRank(n, n, Alpha); k == 0; k, _ = mosesRank(n, n, Alpha) {
		n++
	}
	return n
}

// TrialsNote explains to a reader what the run's trial count allows.
func TrialsNote(trials int) string {
	need := TrialsForVerdict()
	s := fmt.Sprintf("Comparisons use one value per trial (each trial's p50 or p99) and a Mann-Whitney U test: "+
		"with n trials per target the smallest possible p-value is 2/C(2n, n): 0.33 for 2, 0.1 for 3, 0.029 for 4, 0.008 for 5. "+
		"A verdict at p < %.2f needs at least %d trials per target; `~` means not significant.", Alpha, need)
	if trials < need {
		s += fmt.Sprintf(" This run has %d trial(s) per target: no difference in it can be called significant; run with trials: %d or more "+
			"(%d leaves no room for a single overlapping trial).", trials, need+1, need)
	}
	return s
}

// mosesRank returns the largest k >= 1 such that the interval between the
// k-th smallest and k-th largest of the n*m pairwise differences covers
// the true shift with probability at least 1-alpha, and that probability;
// k is 0 when even the widest interval falls short.
func mosesRank(n, m int, alpha float64) (k int, level float64) {
	p := uDistribution(n, m)
	cum := 0.0
	for j := 0; j < len(p)/2; j++ {
		cum += p[j] // P(U <= j)
		if 2*cum > alpha {
			break
		}
		k, level = j+1, 1-2*cum
	}
	return k, level
}

// uDistribution is the null distribution of the Mann-Whitney statistic U
// for sample sizes n and m without ties: element u is P(U = u), u = 0..nm.
//
// The number of orderings with U = u is the coefficient of q^u in the
// Gaussian binomial [n+m choose n]_q = Π_{i=1..n} (1 - q^(m+i)) / (1 - q^i).
// Building it one factor i at a time keeps every intermediate a Gaussian
// binomial [m+i choose i]_q (non-negative coefficients summing to
// C(m+i, i)); scaling by i/(m+i) at each step keeps the sum at 1, so the
// coefficients are probabilities and never overflow.
func uDistribution(n, m int) []float64 {
	c := make([]float64, n*m+n+1)
	c[0] = 1
	deg := 0
	for i := 1; i <= n; i++ {
		a := m + i
		// Multiply by (1 - q^a).
		for k := deg + a; k >= a; k-- {
			c[k] -= c[k-a]
		}
		// Divide by (1 - q^i): c'[k] = c[k] + c'[k-i].
		for k := i; k <= deg+a; k++ {
			c[k] += c[k-i]
		}
		// The division is exact: what rounding leaves above the new
		// degree is noise, cleared so it cannot grow.
		clear(c[deg+m+1 : deg+a+1])
		deg += m
		scale := float64(i) / float64(a)
		for k := 0; k <= deg; k++ {
			c[k] *= scale
		}
	}
	return c[:n*m+1]
}

// positive keeps the finite values above zero.
func positive(v []float64) []float64 {
	out := make([]float64, 0, len(v))
	for _, x := range v {
		if x > 0 && !math.IsInf(x, 0) && !math.IsNaN(x) {
			out = append(out, x)
		}
	}
	return out
}

// fmtRatio prints a ratio with three significant digits, never in
// exponent form.
func fmtRatio(v float64) string {
	if v >= 1000 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return threeDigits(v)
}

// threeDigits rounds to three significant digits and prints the result in
// plain decimal form ("0.00000833", not "8.33e-06").
func threeDigits(v float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// median of sorted values.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// summarizeTrials is benchmath's distribution-free median of per-trial
// values with its confidence interval (infinite bounds when the trials are
// too few for one).
func summarizeTrials(v []float64) benchmath.Summary {
	v = positive(v)
	if len(v) == 0 {
		return benchmath.Summary{Center: math.NaN(), Lo: math.Inf(-1), Hi: math.Inf(1)}
	}
	return benchmath.AssumeNothing.Summary(benchmath.NewSample(slices.Clone(v), &benchmath.DefaultThresholds), confidence)
}
