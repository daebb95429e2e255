package main

import (
	"math"
	"testing"
	"time"

	"versus/results"
)

func TestKSUniform(t *testing.T) {
	period := 10 * time.Second
	// evenly returns n equal bars spread over the period, one observation
	// each at the midpoint of each n-th: the most uniform a sample gets.
	evenly := func(n int) []results.Bar {
		var bars []results.Bar
		for i := range n {
			bars = append(bars, results.Bar{Value: time.Duration((float64(i) + 0.5) / float64(n) * float64(period)), Count: 1})
		}
		return bars
	}
	cases := []struct {
		name  string
		bars  []results.Bar
		wantD float64
		wantN int64
	}{
		{"an evenly spread sample is half a step from uniform", evenly(100), 0.005, 100},
		{"everything at zero is as far from uniform as it gets", []results.Bar{{Value: 0, Count: 50}}, 1, 50},
		{"everything at the period is as far from uniform as it gets", []results.Bar{{Value: period, Count: 50}}, 1, 50},
		{"everything at half the period is half off", []results.Bar{{Value: period / 2, Count: 10}}, 0.5, 10},
		{"values past the period count as the period", []results.Bar{{Value: 2 * period, Count: 10}}, 1, 10},
		{"no observations give no distance", nil, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, n := ksUniform(c.bars, period)
			if n != c.wantN || math.Abs(d-c.wantD) > 1e-9 {
				t.Errorf("ksUniform = (%.6f, %d), want (%.6f, %d)", d, n, c.wantD, c.wantN)
			}
		})
	}
}

func TestKSCritical(t *testing.T) {
	cases := []struct {
		name string
		n    int64
		want float64
	}{
		{"100 observations give 0.136", 100, 0.136},
		{"10,000 observations give 0.0136", 10000, 0.0136},
		{"no observations reject nothing", 0, math.Inf(1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ksCritical(c.n); math.Abs(got-c.want) > 1e-12 && got != c.want {
				t.Errorf("ksCritical(%d) = %v, want %v", c.n, got, c.want)
			}
		})
	}
}
