// Command memory checks the design's promise that the harness's memory is
// constant in run length: it runs the same paced load against the null
// backend (served as its own process) for a short and a long duration and
// compares the peak RSS of the `versus run` process.
//
//	go run ./bench/memory [-rate 5000] [-short 10s] [-long 60s] [-rounds 3]
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"time"

	"versus/bench/internal/harness"
)

// tolerance is how far apart the two peaks may be and still count as
// constant.
const tolerance = 0.20

type config struct {
	rate        float64
	short, long time.Duration
	rounds      int
	maxInFlight int
}

func main() {
	var c config
	flag.Float64Var(&c.rate, "rate", 5000, "requests per second of both runs")
	flag.DurationVar(&c.short, "short", 10*time.Second, "measured duration of the short run")
	flag.DurationVar(&c.long, "long", 60*time.Second, "measured duration of the long run")
	flag.IntVar(&c.maxInFlight, "max-in-flight", 64, "concurrent requests at most (0: the harness default, 1024)")
	flag.IntVar(&c.rounds, "rounds", 3, "alternating rounds (short, long; then long, short); the result is their median")
	flag.Parse()
	if c.rate <= 0 || c.short < time.Second || c.long <= c.short || c.rounds < 1 || c.maxInFlight < 0 {
		fmt.Fprintln(os.Stderr, "memory: want -rate > 0, -short >= 1s, -long > -short, -rounds >= 1, -max-in-flight >= 0")
		os.Exit(2)
	}
	harness.Main("memory", func(ctx context.Context) error { return run(ctx, c) })
}

// sample is one run's peak RSS and whether it held the rate.
type sample struct {
	peakKB                  int64
	sent, errors, shortfall int64
}

func run(ctx context.Context, c config) error {
	fmt.Println("memory: building versus ...")
	s, err := harness.Open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	srv, err := s.Serve(ctx, "null")
	if err != nil {
		return err
	}
	defer srv.Stop()
	inFlight := "max_in_flight 1024 (the default)"
	if c.maxInFlight > 0 {
		inFlight = fmt.Sprintf("max_in_flight %d", c.maxInFlight)
	}
	fmt.Printf("memory: peak RSS of `versus run` (http GET /health at %.0f/s, 1 s warm-up, %s) against null served at %s, %v vs %v, %d round(s)\n",
		c.rate, inFlight, srv.URL, c.short, c.long, c.rounds)
	fmt.Println(`  in-flight is capped because each concurrent request holds a connection
  (buffers, goroutines) that stays pooled after a stall: uncapped, the peak
  follows the worst stall the machine had, not how long the run was`)

	peaks := map[time.Duration][]float64{}
	for r := 1; r <= c.rounds; r++ {
		order := []time.Duration{c.short, c.long}
		if r%2 == 0 {
			order[0], order[1] = order[1], order[0]
		}
		fmt.Printf("round %d\n", r)
		for _, d := range order {
			smp, err := measure(ctx, s, srv.URL, c.rate, d, c.maxInFlight)
			if err != nil {
				return fmt.Errorf("round %d, %v run: %w", r, d, err)
			}
			if err := srv.Err(); err != nil {
				return fmt.Errorf("round %d: the null server died: %w", r, err)
			}
			fmt.Printf("  %-6v peak RSS %7.1f MB   sent %8d  errors %d  shortfall %d\n",
				d, mb(smp.peakKB), smp.sent, smp.errors, smp.shortfall)
			if float64(smp.shortfall) >= 0.001*float64(smp.sent) || float64(smp.errors) >= 0.01*float64(smp.sent) {
				fmt.Printf("    note: this run did not hold %.0f/s cleanly; lower -rate if the two runs differ in load\n", c.rate)
			}
			peaks[d] = append(peaks[d], float64(smp.peakKB))
		}
	}
	short, long := harness.Median(peaks[c.short]), harness.Median(peaks[c.long])
	ratio := long / short
	verdict := "constant within 20%"
	if math.Abs(ratio-1) > tolerance {
		verdict = "NOT constant within 20%"
	}
	fmt.Println()
	fmt.Printf("result (median of %d round(s))\n", c.rounds)
	fmt.Printf("  peak RSS, %-6v run  %7.1f MB\n", c.short, short/1024)
	fmt.Printf("  peak RSS, %-6v run  %7.1f MB\n", c.long, long/1024)
	fmt.Printf("  long / short = %.2fx: %s\n", ratio, verdict)
	fmt.Printf(`what it means: a run %.0fx longer sent %.0fx more requests; a ratio near 1
means the harness keeps no per-request data (HDR histograms and counters
only), so run length is bounded by time, not by memory.
`, c.long.Seconds()/c.short.Seconds(), c.long.Seconds()/c.short.Seconds())
	return nil
}

func measure(ctx context.Context, s *harness.Session, url string, rate float64, d time.Duration, maxInFlight int) (sample, error) {
	limit := ""
	if maxInFlight > 0 {
		limit = fmt.Sprintf(", max_in_flight: %d", maxInFlight)
	}
	suite := fmt.Sprintf(`name: memory
trials: 1
targets:
  - {name: srv, kind: contract, url: %q}
scenarios:
  - {name: health, kind: http, path: /health, rate: %.0f, duration: %s, warmup: 1s%s}
`, url, rate, d, limit)
	o, err := s.RunSuite(ctx, suite, nil)
	if err != nil {
		return sample{}, err
	}
	if o.Warning != "" {
		fmt.Println("    warning:", o.Warning)
	}
	return sample{peakKB: o.PeakRSSKB,
		sent:      o.Counter("health", "srv", nil, "sent"),
		errors:    o.Errors("health", "srv", nil),
		shortfall: o.Counter("health", "srv", nil, "shortfall"),
	}, nil
}

func mb(kb int64) float64 { return float64(kb) / 1024 }
