// Command generator measures the highest rate the versus harness sustains
// against the null backend served as its own process, and, in the same
// run and on the same server, the throughput of wrk and of the vegeta CLI:
// the load-tool baselines of platform-facts.md, side by side.
//
//	go run ./bench/generator [-rounds 2] [-duration 5s]
//
// Rounds alternate the tools' order (versus, wrk, vegeta; then the
// reverse) so a neighbour's burst does not always land on the same tool,
// and the result block prints medians.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"versus/bench/internal/harness"
)

type config struct {
	rounds   int
	duration time.Duration
	start    float64
	step     float64
	coarse   float64
}

func main() {
	var c config
	flag.IntVar(&c.rounds, "rounds", 2, "alternating rounds; the result is their median")
	flag.DurationVar(&c.duration, "duration", 5*time.Second, "measured time of each rate step, and of each wrk and vegeta run")
	flag.Float64Var(&c.start, "start", 4000, "first rate step, requests/s")
	flag.Float64Var(&c.step, "step", 1000, "rate increment of the fine search, requests/s")
	flag.Float64Var(&c.coarse, "coarse", 4000, "rate increment of the coarse search before the fine one (0: fine steps only)")
	flag.Parse()
	if c.rounds < 1 || c.duration < time.Second || c.start <= 0 || c.step <= 0 || c.coarse < 0 {
		fmt.Fprintln(os.Stderr, "generator: want -rounds >= 1, -duration >= 1s, -start > 0, -step > 0, -coarse >= 0")
		os.Exit(2)
	}
	harness.Main("generator", func(ctx context.Context) error { return run(ctx, c) })
}

// tool is one load generator measured in a round.
type tool struct {
	name    string
	measure func(ctx context.Context) (measurement, error)
}

// measurement is a tool's requests/s, and what a reader must know about it.
type measurement struct {
	rate float64
	note string
}

func run(ctx context.Context, c config) error {
	fmt.Println("generator: building versus ...")
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

	search := &stepSearch{s: s, url: srv.URL, duration: c.duration, start: c.start, step: c.step, coarse: c.coarse}
	tools := []tool{{name: "versus", measure: search.run}}
	var notes []string
	if wrk, note := findWrk(c.duration, srv.URL); wrk != nil {
		tools = append(tools, tool{name: "wrk", measure: wrk.run(s)})
	} else {
		notes = append(notes, note)
	}
	if veg, note := installVegeta(ctx, s, c.duration, srv.URL); veg != nil {
		tools = append(tools, tool{name: "vegeta CLI", measure: veg.run(s)})
	} else {
		notes = append(notes, note)
	}
	for _, n := range notes {
		fmt.Println("note:", n)
	}
	fmt.Printf("generator: %d round(s) against null (versus serve, own process) at %s; %v per step and per tool run\n",
		c.rounds, srv.URL, c.duration)
	fmt.Printf("  versus: http GET /health, open model; steps of +%.0f/s from %.0f/s, then +%.0f/s from the last passing one, until a step fails\n",
		c.coarse, c.start, c.step)
	fmt.Printf("  a step passes with errors < 1%% and shortfall < 0.1%% of sent (1 s warm-up, not counted)\n")
	fmt.Printf("  wrk -t2 -c64 -d%v; vegeta attack -rate=0 -max-workers=64 -duration=%v | vegeta report\n", c.duration, c.duration)

	got := map[string][]float64{}
	for r := 1; r <= c.rounds; r++ {
		order := append([]tool(nil), tools...)
		if r%2 == 0 {
			for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
				order[i], order[j] = order[j], order[i]
			}
		}
		fmt.Printf("round %d\n", r)
		for _, t := range order {
			m, err := t.measure(ctx)
			if err != nil {
				return fmt.Errorf("round %d: %s: %w", r, t.name, err)
			}
			if err := srv.Err(); err != nil {
				return fmt.Errorf("round %d: the null server died during %s: %w", r, t.name, err)
			}
			fmt.Printf("  %-10s %9.0f req/s\n", t.name, m.rate)
			if m.note != "" {
				fmt.Printf("    note: %s\n", m.note)
			}
			got[t.name] = append(got[t.name], m.rate)
		}
	}
	printResult(tools, got)
	return nil
}

func printResult(tools []tool, got map[string][]float64) {
	fmt.Println()
	fmt.Printf("result (median of %d round(s), requests/s)\n", len(got["versus"]))
	med := map[string]float64{}
	for _, t := range tools {
		med[t.name] = harness.Median(got[t.name])
		fmt.Printf("  %-24s %9.0f   rounds: %s\n", label(t.name), med[t.name], list(got[t.name]))
	}
	if w := med["wrk"]; w > 0 {
		fmt.Printf("  versus / wrk        = %.2fx (goal >= 0.8x)\n", med["versus"]/w)
	} else {
		fmt.Println("  versus / wrk        = n/a (wrk not run)")
	}
	if v := med["vegeta CLI"]; v > 0 {
		fmt.Printf("  versus / vegeta CLI = %.2fx\n", med["versus"]/v)
	} else {
		fmt.Println("  versus / vegeta CLI = n/a (vegeta CLI not run)")
	}
	fmt.Println(`what it means: versus's figure is the highest paced rate it held with every
request timed from its intended send time (open model); wrk and the vegeta CLI
run closed-loop flat out on 64 connections, so their figures are ceilings of
the client plus the server, not rates held on schedule. All three share the
machine's cores with the null server: compare within this run only.`)
}

func label(name string) string {
	if name == "versus" {
		return "versus (sustained rate)"
	}
	return name
}

func list(xs []float64) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%.0f", x)
	}
	return s
}
