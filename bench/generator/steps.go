package main

import (
	"context"
	"fmt"
	"time"

	"versus/bench/internal/harness"
)

// Thresholds of a sustained step.
const (
	maxErrorShare     = 0.01
	maxShortfallShare = 0.001
)

// stepSearch finds the highest rate versus sustains: coarse steps until
// one fails, then fine steps from the last passing one, stopping at the
// first failing fine step. The coarse phase only saves time; the answer
// is always a rate that passed with a failing fine step just above it.
type stepSearch struct {
	s        *harness.Session
	url      string
	duration time.Duration
	start    float64
	step     float64
	coarse   float64
}

// stepResult is what one rate step did.
type stepResult struct {
	rate                   float64
	sent, errors, shortage int64
}

// passed applies the thresholds; a step that sent nothing failed.
func (r stepResult) passed() bool {
	return r.sent > 0 &&
		float64(r.errors) < maxErrorShare*float64(r.sent) &&
		float64(r.shortage) < maxShortfallShare*float64(r.sent)
}

func (r stepResult) String() string {
	verdict := "ok"
	if !r.passed() {
		verdict = "FAIL"
	}
	return fmt.Sprintf("step %6.0f/s: sent %7d  errors %6d  shortfall %7d  %s", r.rate, r.sent, r.errors, r.shortage, verdict)
}

// run returns the highest sustained rate, or an error if even the first
// step failed (then there is no rate to report).
func (g *stepSearch) run(ctx context.Context) (measurement, error) {
	rate, err := g.search(ctx)
	return measurement{rate: rate}, err
}

func (g *stepSearch) search(ctx context.Context) (float64, error) {
	rate, best := g.start, 0.0
	if g.coarse > 0 {
		var err error
		if best, err = g.climb(ctx, "coarse", rate, g.coarse); err != nil {
			return 0, err
		}
		if best == 0 {
			return 0, fmt.Errorf("the first step (%.0f/s) failed: lower -start", g.start)
		}
		rate = best + g.step
	}
	fine, err := g.climb(ctx, "fine  ", rate, g.step)
	if err != nil {
		return 0, err
	}
	best = max(best, fine)
	if best == 0 {
		return 0, fmt.Errorf("the first step (%.0f/s) failed: lower -start", g.start)
	}
	return best, nil
}

// climb steps the rate up from rate by step until a step fails, and
// returns the last rate that passed (0 if none did).
func (g *stepSearch) climb(ctx context.Context, label string, rate, step float64) (float64, error) {
	best := 0.0
	for {
		r, err := g.measure(ctx, rate)
		if err != nil {
			return 0, err
		}
		fmt.Printf("    %s %v\n", label, r)
		if !r.passed() {
			return best, nil
		}
		best = rate
		rate += step
	}
}

// measure runs one step as a suite of its own against the served null.
func (g *stepSearch) measure(ctx context.Context, rate float64) (stepResult, error) {
	suite := fmt.Sprintf(`name: generator-step
trials: 1
targets:
  - {name: srv, kind: contract, url: %q}
scenarios:
  - {name: health, kind: http, path: /health, rate: %.0f, duration: %s, warmup: 1s}
`, g.url, rate, g.duration)
	o, err := g.s.RunSuite(ctx, suite, nil)
	if err != nil {
		return stepResult{}, err
	}
	if o.Warning != "" {
		fmt.Println("    warning:", o.Warning)
	}
	return stepResult{rate: rate,
		sent:     o.Counter("health", "srv", nil, "sent"),
		errors:   o.Errors("health", "srv", nil),
		shortage: o.Counter("health", "srv", nil, "shortfall"),
	}, nil
}
