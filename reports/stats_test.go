package reports

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// bruteU enumerates every way of choosing which n of n+m ranks belong to
// the first sample and counts U, the number of (a, b) pairs with a > b.
func bruteU(n, m int) []float64 {
	counts := make([]float64, n*m+1)
	total := 0.0
	for mask := 0; mask < 1<<(n+m); mask++ {
		if popcount(mask) != n {
			continue
		}
		u, bs := 0, 0
		for r := 0; r < n+m; r++ {
			if mask&(1<<r) != 0 {
				u += bs
			} else {
				bs++
			}
		}
		counts[u]++
		total++
	}
	for i := range counts {
		counts[i] /= total
	}
	return counts
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func TestUDistributionMatchesEnumeration(t *testing.T) {
	for _, size := range [][2]int{{1, 1}, {2, 3}, {3, 3}, {4, 4}, {5, 5}, {3, 7}, {6, 4}} {
		got, want := uDistribution(size[0], size[1]), bruteU(size[0], size[1])
		for u := range want {
			if math.Abs(got[u]-want[u]) > 1e-12 {
				t.Fatalf("n=%d m=%d: P(U=%d) = %g, want %g", size[0], size[1], u, got[u], want[u])
			}
		}
	}
}

func TestMinP(t *testing.T) {
	tests := []struct {
		n    int
		want float64
	}{{2, 1.0 / 3}, {3, 0.1}, {4, 2.0 / 70}, {5, 2.0 / 252}}
	for _, tt := range tests {
		if got := MinP(tt.n, tt.n); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("MinP(%d, %d) = %g, want %g", tt.n, tt.n, got, tt.want)
		}
	}
	if got := TrialsForVerdict(); got != 4 {
		t.Errorf("TrialsForVerdict() = %d, want 4", got)
	}
}

func TestRatioTest(t *testing.T) {
	t.Run("a target compared with itself is never significant", func(t *testing.T) {
		v := []float64{1.1, 1.3, 0.9, 1.2, 1.0, 1.05}
		got := TestRatio(v, v)
		if got.Significant() || got.Verdict() != "~" {
			t.Fatalf("self comparison: %+v, verdict %q", got, got.Verdict())
		}
		if math.Abs(got.Ratio-1) > 1e-12 || got.Lo > 1 || got.Hi < 1 {
			t.Fatalf("self comparison ratio %g [%g, %g], want 1 inside its interval", got.Ratio, got.Lo, got.Hi)
		}
	})
	t.Run("identical constant values are not significant", func(t *testing.T) {
		got := TestRatio([]float64{2, 2, 2, 2, 2}, []float64{2, 2, 2, 2, 2})
		if got.Significant() || got.Ratio != 1 {
			t.Fatalf("constant values: %+v", got)
		}
	})
	t.Run("a fixed 2 ms slowdown over five trials is significant", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		var a, b []float64
		for range 5 {
			a = append(a, 5+rng.NormFloat64()*0.2)
			b = append(b, 7+rng.NormFloat64()*0.2)
		}
		got := TestRatio(a, b)
		if !got.Significant() || got.Ratio < 1.3 || got.Ratio > 1.5 || got.Lo <= 1 {
			t.Fatalf("2 ms slowdown: %+v", got)
		}
		if v := got.Verdict(); v[0] != '+' {
			t.Fatalf("verdict %q, want a positive change", v)
		}
	})
	t.Run("three trials can never be significant", func(t *testing.T) {
		got := TestRatio([]float64{1, 1.1, 1.2}, []float64{10, 11, 12})
		if got.Significant() || math.Abs(got.P-0.1) > 1e-9 || !math.IsInf(got.Hi, 1) {
			t.Fatalf("three trials: %+v", got)
		}
	})
	t.Run("four fully separated trials are significant", func(t *testing.T) {
		got := TestRatio([]float64{1, 1.1, 1.2, 1.3}, []float64{2, 2.1, 2.2, 2.3})
		if !got.Significant() || got.Lo < 1.5 || got.Hi > 2.3 {
			t.Fatalf("four trials: %+v", got)
		}
	})
	t.Run("swapping the sides inverts the ratio", func(t *testing.T) {
		a, b := []float64{1, 1.2, 1.1, 1.3, 0.9}, []float64{1.5, 1.7, 1.4, 1.9, 1.6}
		ab, ba := TestRatio(a, b), TestRatio(b, a)
		if math.Abs(ab.Ratio*ba.Ratio-1) > 1e-12 || math.Abs(ab.Lo*ba.Hi-1) > 1e-12 || ab.P != ba.P {
			t.Fatalf("a/b %+v, b/a %+v", ab, ba)
		}
	})
	t.Run("no values gives no ratio", func(t *testing.T) {
		got := TestRatio(nil, []float64{1})
		if !math.IsNaN(got.Ratio) || got.Significant() || got.RatioString() != "n/a" {
			t.Fatalf("empty side: %+v", got)
		}
	})
}

// TestRatioTestFalsePositiveRate draws both sides from one distribution
// many times: the share of significant results must stay near Alpha and
// the interval must cover the true ratio (1) near its stated level.
func TestRatioTestFalsePositiveRate(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const reps = 3000
	positives, covered := 0, 0
	for range reps {
		a, b := make([]float64, 6), make([]float64, 6)
		for i := range a {
			a[i] = math.Exp(rng.NormFloat64() * 0.3)
			b[i] = math.Exp(rng.NormFloat64() * 0.3)
		}
		got := TestRatio(a, b)
		if got.Significant() {
			positives++
		}
		if got.Lo <= 1 && 1 <= got.Hi {
			covered++
		}
	}
	rate := float64(positives) / reps
	if rate > 0.065 || rate < 0.02 {
		t.Errorf("false positive rate %.3f over %d repetitions, want about %.2f", rate, reps, Alpha)
	}
	if cov := float64(covered) / reps; cov < 0.93 {
		t.Errorf("interval covers the true ratio in %.3f of repetitions, want >= 0.95", cov)
	}
}

func TestTrialsNote(t *testing.T) {
	if got := TrialsNote(3); !strings.Contains(got, "no difference in it can be called significant") {
		t.Errorf("note for 3 trials does not warn: %q", got)
	}
	if got := TrialsNote(5); strings.Contains(got, "no difference in it") {
		t.Errorf("note for 5 trials warns: %q", got)
	}
}

func TestNumberFormats(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{fmtRatio(8.333e-6), "0.00000833"}, {fmtRatio(1.23456), "1.23"}, {fmtRatio(1234.5), "1234"}, {fmtRatio(1), "1"},
		{fmtMS(0.001), "0.001"}, {fmtMS(12.345), "12.3"}, {fmtMS(61234.4), "61234"}, {fmtMS(math.NaN()), "n/a"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
