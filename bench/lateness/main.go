// Command lateness runs the scheduling-lateness suite (edge: alarm, cron,
// queue; integrated: runAfter, cron) and compares each target's cron
// lateness with what the model predicts: a job waits for the next tick, so
// with due times spread evenly its lateness is uniform over (0, period).
// It prints the deciles against the model's and the Kolmogorov-Smirnov
// distance to uniform(0, period) with its 5% critical value.
//
//	go run ./bench/lateness             # the built-in suite (cron period 5 s)
//	go run ./bench/lateness -period 2s  # its own suite at another period
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/goccy/go-yaml"

	"versus/bench/internal/harness"
	"versus/results"
)

type config struct {
	period time.Duration
	jobs   int
	rate   float64
}

func main() {
	var c config
	flag.DurationVar(&c.period, "period", 0, "cron period of an own suite (0: run the built-in lateness suite)")
	flag.IntVar(&c.jobs, "jobs", 300, "jobs per mechanism, with -period")
	flag.Float64Var(&c.rate, "rate", 20, "jobs scheduled per second, with -period")
	flag.Parse()
	if c.period < 0 || c.jobs < 1 || c.rate <= 0 {
		fmt.Fprintln(os.Stderr, "lateness: want -period >= 0, -jobs >= 1, -rate > 0")
		os.Exit(2)
	}
	harness.Main("lateness", func(ctx context.Context) error { return run(ctx, c) })
}

func run(ctx context.Context, c config) error {
	fmt.Println("lateness: building versus ...")
	s, err := harness.Open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	var o *harness.Outcome
	if c.period == 0 {
		fmt.Println("lateness: versus run --suite lateness (targets in the run's process; progress on stderr)")
		o, err = s.RunBuiltin(ctx, "lateness", os.Stderr)
	} else {
		suite := fmt.Sprintf(`name: lateness-%s
trials: 1
targets: [edge, integrated]
cron_period: %s
scenarios:
  - {name: jobs, kind: schedule, delays: [0ms, 100ms, 1s], jobs: %d, rate: %g}
`, c.period, c.period, c.jobs, c.rate)
		fmt.Printf("lateness: own suite, cron period %v, %d jobs per mechanism at %g/s, delays 0ms, 100ms, 1s (progress on stderr)\n", c.period, c.jobs, c.rate)
		o, err = s.RunSuite(ctx, suite, os.Stderr)
	}
	if err != nil {
		return err
	}
	if o.Warning != "" {
		fmt.Println("warning:", o.Warning)
	}
	run, err := results.Load(o.Dir)
	if err != nil {
		return err
	}
	period, err := cronPeriod(run)
	if err != nil {
		return err
	}
	groups := byMechanism(run)
	printTable(groups)
	printCron(groups, period)
	return nil
}

// cronPeriod reads the period the run used from the suite it recorded, so
// the model is the one the targets ran with, built-in suite or not.
func cronPeriod(run *results.Run) (time.Duration, error) {
	// Only the one field is read: a full scenarios.Parse would need every
	// target kind the suite names registered in this program.
	var suite struct {
		CronPeriod time.Duration `yaml:"cron_period"`
	}
	if err := yaml.Unmarshal([]byte(run.SuiteYAML), &suite); err != nil {
		return 0, fmt.Errorf("read cron_period from the suite recorded in run.json: %w", err)
	}
	if suite.CronPeriod == 0 {
		// The embedded targets' default: Cron Triggers' one minute.
		return time.Minute, nil
	}
	return suite.CronPeriod, nil
}

// mechanism is one target's jobs through one mechanism, every delay and
// trial merged: the delay moves when a job is due, not how late it fires.
type mechanism struct {
	target, via            string
	lateness               *results.Histogram
	fired, missed, dupRuns int64
}

func byMechanism(run *results.Run) []*mechanism {
	var out []*mechanism
	index := map[string]*mechanism{}
	for _, cell := range run.Cells {
		if cell.Kind != "schedule" || cell.Skipped != "" {
			continue
		}
		key := cell.Target + "\x00" + cell.Params["via"]
		m, ok := index[key]
		if !ok {
			m = &mechanism{target: cell.Target, via: cell.Params["via"], lateness: results.NewHistogram()}
			index[key] = m
			out = append(out, m)
		}
		m.lateness.Merge(cell.Histogram("lateness_server"))
		m.fired += cell.Counter("fired")
		m.missed += cell.Counter("missed")
		m.dupRuns += cell.Counter("duplicate_runs")
	}
	return out
}

func printTable(groups []*mechanism) {
	fmt.Println()
	fmt.Println("lateness_server (fired_at - scheduled_for, target clock), every delay merged")
	fmt.Printf("  %-12s %-9s %6s %6s %10s %12s %12s\n", "target", "via", "fired", "missed", "dup. runs", "p50", "p99")
	for _, m := range groups {
		fmt.Printf("  %-12s %-9s %6d %6d %10d %9.1f ms %9.1f ms\n", m.target, m.via, m.fired, m.missed, m.dupRuns,
			ms(m.lateness.Quantile(0.5)), ms(m.lateness.Quantile(0.99)))
	}
}

func printCron(groups []*mechanism, period time.Duration) {
	fmt.Println()
	fmt.Printf("cron against the model: uniform over (0, %v), so decile k at k/10 x %v\n", period, period)
	for _, m := range groups {
		if m.via != "cron" {
			continue
		}
		fmt.Printf("  %s (n = %d)\n", m.target, m.lateness.Count())
		fmt.Printf("    %-7s %11s %11s %9s\n", "decile", "observed", "model", "obs/model")
		for k := 1; k <= 9; k++ {
			q := float64(k) / 10
			got, want := ms(m.lateness.Quantile(q)), q*ms(period)
			fmt.Printf("    %-7.1f %8.0f ms %8.0f ms %8.2fx\n", q, got, want, got/want)
		}
		d, n := ksUniform(m.lateness.Bars(), period)
		crit := ksCritical(n)
		verdict := "looks uniform (D below the critical value: no evidence against the model at 5%)"
		if d >= crit {
			verdict = "does NOT look uniform (D at or above the critical value: the model is rejected at 5%)"
		}
		fmt.Printf("    KS distance to uniform(0, %v): D = %.4f; 5%% critical value 1.36/sqrt(%d) = %.4f: %s\n", period, d, n, crit, verdict)
	}
	fmt.Println(`what it means: alarm, queue and runAfter fire on a timer of their own, so
their lateness is the mechanism's overhead (the queue's whole-second delays
and batching show in its figures). Cron looks at due jobs once a period, so
a job's lateness is where its due time fell in the period: half of it on
average. That spread is the cost of polling; deciles near the model and a
small D mean the cron behaves as polling predicts, with no extra delay.
The jobs are scheduled at a steady rate, so their due times are evenly
spaced rather than random: D then sits well below the critical value when
the model holds, and one above it is a real departure, not chance.`)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
