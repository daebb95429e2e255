// Command reportbench measures how long `versus report` takes, and how much
// memory it needs, to re-render a large run: 10 scenarios of every kind x
// 3 targets x 5 trials, synthesised with realistic latency distributions
// (a log-normal body, a slow tail, a stall) and saved as a real run
// directory.
//
//	go run ./bench/reportbench [-dir DIR] [-keep]
//
// It synthesises the run in one child process, then times the real `versus
// report DIR` as another, so the peak RSS it prints is the command's own.
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"versus/bench/internal/harness"
	"versus/reports"
	"versus/results"
)

func main() {
	dir := flag.String("dir", "", "run directory to write and render (default: a temporary one)")
	keep := flag.Bool("keep", false, "keep the run directory")
	synthOnly := flag.Bool("synthesise", false, "only write the synthetic run into -dir (the child process)")
	flag.Parse()
	var err error
	if *synthOnly {
		err = writeRun(*dir)
	} else {
		err = run(*dir, *keep)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "reportbench:", err)
		os.Exit(1)
	}
}

// writeRun synthesises the run into dir.
func writeRun(dir string) error {
	start := time.Now()
	r := synthesise()
	if err := r.Save(dir); err != nil {
		return err
	}
	cells, observations := size(r)
	fmt.Printf("synthesised %d cells, %d observations in %.2fs into %s\n", cells, observations, time.Since(start).Seconds(), dir)
	return nil
}

func run(dir string, keep bool) error {
	ctx, stop := harness.Interruptible()
	defer stop()
	if dir == "" {
		tmp, err := os.MkdirTemp("", "reportbench-")
		if err != nil {
			return err
		}
		dir = tmp
		if !keep {
			defer os.RemoveAll(tmp)
		}
	}
	// A child's peak RSS on Linux starts from its parent's when forked, so
	// the run is synthesised in a child of its own: this process stays
	// small and the figure below is the report command's alone.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	synth := exec.CommandContext(ctx, self, "-synthesise", "-dir", dir)
	synth.Stdout, synth.Stderr = os.Stdout, os.Stderr
	if err := synth.Run(); err != nil {
		return err
	}
	s, err := harness.Open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	// The real command, as a user runs it: its wall time and peak RSS.
	cmd := s.Command(ctx, s.Bin, "report", dir)
	cmd.Stdout = io.Discard
	cmd.Stderr = os.Stderr
	began := time.Now()
	if err := s.Start(cmd); err != nil {
		return err
	}
	if err := s.Wait(cmd); err != nil {
		return fmt.Errorf("versus report: %w", err)
	}
	took := time.Since(began)
	page, err := os.Stat(filepath.Join(dir, reports.HTMLFile))
	if err != nil {
		return err
	}
	md, err := os.Stat(filepath.Join(dir, reports.MarkdownFile))
	if err != nil {
		return err
	}
	rss := harness.PeakRSSKB(cmd)
	fmt.Printf("versus report: %.2fs, peak RSS %d MB, report.html %d KB, report.md %d KB\n",
		took.Seconds(), rss/1024, page.Size()/1024, md.Size()/1024)
	fmt.Printf("goals: under 3 s (%s), under 200 MB (%s)\n", verdict(took < 3*time.Second), verdict(rss < 200*1024))
	return nil
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func size(r *results.Run) (cells int, observations int64) {
	for _, c := range r.Cells {
		cells++
		for _, h := range c.Metrics {
			observations += h.Count()
		}
	}
	return cells, observations
}

// latency describes a target's distribution for one metric: a log-normal
// body around Median, a tail share TailP that takes TailX times longer,
// and a stall of StallX in one second of the phase.
type latency struct {
	Median time.Duration
	Sigma  float64
	TailP  float64
	TailX  float64
}

func (l latency) draw(rng *rand.Rand, second int) time.Duration {
	d := float64(l.Median) * math.Exp(rng.NormFloat64()*l.Sigma)
	if rng.Float64() < l.TailP {
		d *= l.TailX * (1 + rng.Float64())
	}
	if second == 7 { // a garbage-collection-like stall
		d *= 1.5
	}
	return time.Duration(d)
}

type scenario struct {
	name, kind string
	params     []map[string]string
	metrics    map[string]latency
	rate       int // observations per second per metric
	counters   map[string]int64
}

var (
	ms    = time.Millisecond
	httpL = latency{Median: 400 * time.Microsecond, Sigma: 0.35, TailP: 0.01, TailX: 8}
)

var scenarios = []scenario{
	{"health", "http", nil, map[string]latency{"latency": httpL, "service_time": httpL}, 1000, map[string]int64{"sent": 10000, "ok": 10000, "shortfall": 0}},
	{"item-read", "http", []map[string]string{{"reads": "1"}}, map[string]latency{"latency": {Median: ms, Sigma: 0.4, TailP: 0.01, TailX: 6}, "service_time": {Median: ms, Sigma: 0.4}}, 500, map[string]int64{"sent": 5000, "ok": 5000}},
	{"item-reads", "http", []map[string]string{{"reads": "4"}, {"reads": "16"}}, map[string]latency{"latency": {Median: 3 * ms, Sigma: 0.4, TailP: 0.01, TailX: 6}, "service_time": {Median: 3 * ms, Sigma: 0.4}}, 300, map[string]int64{"sent": 3000, "ok": 2990}},
	{"item-write", "http", nil, map[string]latency{"latency": {Median: 2 * ms, Sigma: 0.5, TailP: 0.02, TailX: 10}, "service_time": {Median: 2 * ms, Sigma: 0.5}}, 500, map[string]int64{"sent": 5000, "ok": 5000}},
	{"stripe", "webhook", nil, map[string]latency{"latency": {Median: 2 * ms, Sigma: 0.4, TailP: 0.01, TailX: 5}, "service_time": {Median: 2 * ms, Sigma: 0.4}}, 200, map[string]int64{"sent": 2000, "accepted": 1800, "rejected_expected": 200, "accepted_invalid": 0, "rejected_valid": 0, "duplicates_stored": 0, "lost": 0}},
	{"stripe-burst", "webhook", nil, map[string]latency{"latency": {Median: 5 * ms, Sigma: 0.6, TailP: 0.05, TailX: 10}, "service_time": {Median: 3 * ms, Sigma: 0.5}}, 500, map[string]int64{"sent": 5000, "accepted": 4500, "rejected_expected": 500, "lost": 0}},
	{"jobs", "schedule", []map[string]string{{"delay": "100ms"}, {"delay": "1s"}}, map[string]latency{"lateness_server": {Median: 3 * ms, Sigma: 0.8}, "lateness_observed": {Median: 5 * ms, Sigma: 0.8}}, 20, map[string]int64{"scheduled": 200, "fired": 200, "missed": 0, "duplicate_runs": 0}},
	{"chat", "subscribe", nil, map[string]latency{"propagation": {Median: 3 * ms, Sigma: 0.4, TailP: 0.01, TailX: 5}, "ack": {Median: 2 * ms, Sigma: 0.4}}, 1000, map[string]int64{"published": 1000, "delivered": 100000, "missing": 0, "out_of_order": 0, "dropped": 0}},
	{"presence", "subscribe", nil, map[string]latency{"propagation": {Median: 2 * ms, Sigma: 0.3}, "ack": {Median: ms, Sigma: 0.3}}, 500, map[string]int64{"published": 5000, "delivered": 50000, "missing": 0}},
	{"broadcast", "fanout", []map[string]string{{"subscribers": "1"}, {"subscribers": "10"}, {"subscribers": "100"}, {"subscribers": "1000"}}, map[string]latency{"delivery": {Median: 4 * ms, Sigma: 0.5}, "last_delivery": {Median: 8 * ms, Sigma: 0.3}}, 200, map[string]int64{"missing": 0}},
}

var targets = []results.TargetInfo{
	{Name: "edge", Kind: "edge", Model: "edge", Version: "bench", Capabilities: []string{"http", "items", "webhook", "schedule", "subscribe"}, ScheduleVia: []string{"alarm", "cron", "queue"}, Location: "embedded"},
	{Name: "integrated", Kind: "integrated", Model: "integrated", Version: "bench", Capabilities: []string{"http", "items", "webhook", "schedule", "subscribe"}, ScheduleVia: []string{"runafter"}, Location: "embedded"},
	{Name: "mine", Kind: "contract", Model: "other", Version: "bench", Capabilities: []string{"http", "items", "webhook", "schedule", "subscribe"}, ScheduleVia: []string{"queue"}, Location: "local process"},
}

// scale is each target's speed against the scenario's base figures.
var scale = map[string]float64{"edge": 1.3, "integrated": 0.8, "mine": 1}

const (
	trials  = 5
	seconds = 10
)

func synthesise() *results.Run {
	rng := rand.New(rand.NewPCG(2026, 9))
	start := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	r := &results.Run{ID: "reportbench", Suite: "reportbench", Started: start, Host: results.ThisHost("reportbench"), Targets: targets}
	clock := start
	for trial := 1; trial <= trials; trial++ {
		for _, sc := range scenarios {
			for _, t := range targets {
				for _, params := range paramSets(sc, t) {
					c := results.NewCell(sc.name, sc.kind, t.Name, trial, params, clock)
					for name, l := range sc.metrics {
						l.Median = time.Duration(float64(l.Median) * scale[t.Name] * subscribersFactor(params))
						for s := range seconds {
							for i := range sc.rate {
								at := clock.Add(time.Duration(s)*time.Second + time.Duration(i)*time.Second/time.Duration(sc.rate))
								c.Observe(name, at, l.draw(rng, s))
							}
						}
					}
					for k, v := range sc.counters {
						c.Add(k, v)
					}
					c.Finish(clock.Add(seconds * time.Second))
					r.Cells = append(r.Cells, c)
					clock = clock.Add(seconds * time.Second)
				}
			}
		}
	}
	r.Ended = clock
	return r
}

// paramSets adds each schedule mechanism of the target to the scenario's
// conditions.
func paramSets(sc scenario, t results.TargetInfo) []map[string]string {
	base := sc.params
	if base == nil {
		base = []map[string]string{nil}
	}
	if sc.kind != "schedule" {
		return base
	}
	var out []map[string]string
	for _, p := range base {
		for _, via := range t.ScheduleVia {
			out = append(out, map[string]string{"delay": p["delay"], "via": via})
		}
	}
	return out
}

func subscribersFactor(params map[string]string) float64 {
	n, err := strconv.ParseFloat(params["subscribers"], 64)
	if err != nil || n <= 1 {
		return 1
	}
	return 1 + math.Log10(n)
}
