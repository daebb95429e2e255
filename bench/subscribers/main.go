// Command subscribers measures fan-out to many WebSocket subscribers on
// the embedded edge and integrated backends, each served as its own
// process: one publish reaches N subscribers, ten times, and the program
// reports the slowest subscriber's delay per message (last_delivery), the
// deliveries that never came, and what each subscriber costs the harness
// in memory: (peak RSS with N - peak RSS of the same run with 1) / N.
//
//	go run ./bench/subscribers [-n 10000] [-rounds 1]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"syscall"

	"versus/bench/internal/harness"
)

// goalKBPerSubscriber is the harness memory budget per subscriber.
const goalKBPerSubscriber = 30

// spareFiles are descriptors a process needs beside its subscribers.
const spareFiles = 512

// serverFilesPerSubscriber is the most descriptors one subscriber costs a
// served backend: edge holds three (the client's socket at the Worker, the
// Worker's hop to the relay actor, and the relay's end of that hop);
// integrated holds one.
const serverFilesPerSubscriber = 3

type config struct {
	n        int
	messages int
	rounds   int
	backends []string
}

func main() {
	var c config
	var backends string
	flag.IntVar(&c.n, "n", 10000, "subscribers")
	flag.IntVar(&c.messages, "messages", 10, "messages published, one a second")
	flag.IntVar(&c.rounds, "rounds", 1, "alternating rounds; the result is their median")
	flag.StringVar(&backends, "backends", "edge,integrated", "embedded backends to serve, comma-separated")
	flag.Parse()
	c.backends = strings.Split(backends, ",")
	if c.n < 2 || c.messages < 1 || c.rounds < 1 || backends == "" {
		fmt.Fprintln(os.Stderr, "subscribers: want -n >= 2, -messages >= 1, -rounds >= 1, -backends non-empty")
		os.Exit(2)
	}
	ctx, stop := harness.Interruptible()
	defer stop()
	failed, err := run(ctx, c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "subscribers:", err)
		os.Exit(1)
	}
	if failed {
		os.Exit(1)
	}
}

// raiseFileLimit lifts this process's open-file limit to its hard limit,
// and past it to need when the process may (CAP_SYS_RESOURCE, as root in
// a container). Children inherit the limit, so a served backend can hold
// its sockets too. It returns the limit and, when that is below need, a
// note saying what will fail.
func raiseFileLimit(need uint64) (uint64, string, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, "", fmt.Errorf("read RLIMIT_NOFILE: %w", err)
	}
	if lim.Max < need {
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: need, Max: need}) == nil {
			return need, "", nil
		}
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, "", fmt.Errorf("raise RLIMIT_NOFILE to its hard limit %d: %w", lim.Max, err)
	}
	if lim.Cur < need {
		return lim.Cur, fmt.Sprintf("the open-file hard limit is %d and this process may not raise it; a backend holding %d descriptors per subscriber needs about %d: expect it to fail (raise ulimit -Hn or LimitNOFILE, or lower -n)",
			lim.Cur, serverFilesPerSubscriber, need), nil
	}
	return lim.Cur, "", nil
}

// sample is one fan-out run against one freshly served backend.
type sample struct {
	harnessKB, serverKB         int64
	lastP50, lastP99            float64
	delivered, missing, dropped int64
	published                   int64
	// complete counts messages every subscriber received.
	complete int64
	warning  string
}

// run returns whether a measurement failed; an error stops everything.
func run(ctx context.Context, c config) (bool, error) {
	limit, note, err := raiseFileLimit(uint64(serverFilesPerSubscriber*c.n + spareFiles))
	if err != nil {
		return false, err
	}
	if note != "" {
		fmt.Println("note:", note)
	}
	fmt.Println("subscribers: building versus ...")
	s, err := harness.Open(ctx)
	if err != nil {
		return false, err
	}
	defer s.Close()
	fmt.Printf("subscribers: fan-out {subscribers: [N], messages: %d, rate: 1, timeout: 30s} on %s, each served as its own process (fresh per run); open-file limit %d\n",
		c.messages, strings.Join(c.backends, ", "), limit)
	fmt.Printf("  per backend and round: one run with N=%d, one with N=1 (the baseline of the harness's memory)\n", c.n)

	big := map[string][]sample{}
	small := map[string][]sample{}
	failures := map[string]string{}
	for r := 1; r <= c.rounds; r++ {
		fmt.Printf("round %d\n", r)
		order := append([]string(nil), c.backends...)
		sizes := []int{c.n, 1}
		if r%2 == 0 {
			for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
				order[i], order[j] = order[j], order[i]
			}
			sizes[0], sizes[1] = sizes[1], sizes[0]
		}
		for _, b := range order {
			for _, n := range sizes {
				smp, err := measure(ctx, s, b, n, c.messages)
				if ctx.Err() != nil {
					return false, ctx.Err()
				}
				if err != nil {
					fmt.Printf("  %-10s N=%-6d FAILED: %v\n", b, n, err)
					failures[b] = firstLine(err.Error())
					continue
				}
				fmt.Printf("  %-10s N=%-6d last_delivery p50 %8.2f ms  p99 %8.2f ms  complete %d/%d  delivered %7d  missing %6d  dropped %d  harness RSS %6.1f MB  server RSS %6.1f MB\n",
					b, n, smp.lastP50, smp.lastP99, smp.complete, smp.published, smp.delivered, smp.missing, smp.dropped, mb(smp.harnessKB), mb(smp.serverKB))
				if smp.warning != "" {
					fmt.Println("    warning:", smp.warning)
				}
				if n == 1 {
					small[b] = append(small[b], smp)
				} else {
					big[b] = append(big[b], smp)
				}
			}
		}
	}
	printResult(c, big, small, failures)
	return len(failures) > 0, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func printResult(c config, big, small map[string][]sample, failures map[string]string) {
	fmt.Println()
	fmt.Printf("result (N=%d, %d messages, median of %d round(s))\n", c.n, c.messages, c.rounds)
	fmt.Printf("  %-10s %18s %18s %9s %9s %22s\n", "backend", "last_delivery p50", "last_delivery p99", "missing", "dropped", "harness KB/subscriber")
	for _, b := range c.backends {
		if why, ok := failures[b]; ok {
			fmt.Printf("  %-10s n/a: a run failed (%s)\n", b, why)
			continue
		}
		med := func(pick func(sample) float64, of []sample) float64 {
			var xs []float64
			for _, s := range of {
				xs = append(xs, pick(s))
			}
			return harness.Median(xs)
		}
		perSub := (med(func(s sample) float64 { return float64(s.harnessKB) }, big[b]) -
			med(func(s sample) float64 { return float64(s.harnessKB) }, small[b])) / float64(c.n)
		verdict := fmt.Sprintf("goal < %d KB: met", goalKBPerSubscriber)
		if perSub >= goalKBPerSubscriber {
			verdict = fmt.Sprintf("goal < %d KB: NOT met", goalKBPerSubscriber)
		}
		fmt.Printf("  %-10s %15.2f ms %15.2f ms %9.0f %9.0f %19.1f KB  (%s)\n", b,
			med(func(s sample) float64 { return s.lastP50 }, big[b]),
			med(func(s sample) float64 { return s.lastP99 }, big[b]),
			med(func(s sample) float64 { return float64(s.missing) }, big[b]),
			med(func(s sample) float64 { return float64(s.dropped) }, big[b]),
			perSub, verdict)
	}
	fmt.Printf(`what it means: last_delivery is, per message, the time from the publish's
intended send until the slowest of the N subscribers had it (harness clock,
publisher and subscribers in one process); with %d messages its p99 is
close to the worst message. missing counts deliveries owed and never
received within 30 s. The KB per subscriber is the harness's own cost of
holding one WebSocket open and tracking it: the generator's side of a
fan-out test, not the backend's.
`, c.messages)
}

func measure(ctx context.Context, s *harness.Session, backend string, n, messages int) (sample, error) {
	srv, err := s.Serve(ctx, backend)
	if err != nil {
		return sample{}, err
	}
	suite := fmt.Sprintf(`name: subscribers
trials: 1
max_subscribers: %d
targets:
  - {name: %s, kind: contract, url: %q}
scenarios:
  - {name: broadcast, kind: fanout, subscribers: [%d], messages: %d, rate: 1, timeout: 30s}
`, n, backend, srv.URL, n, messages)
	o, err := s.RunSuite(ctx, suite, nil)
	died := srv.Err()
	serverKB := srv.Stop()
	if err != nil {
		return sample{}, err
	}
	if died != nil {
		return sample{}, fmt.Errorf("the served backend died during the run: %w", died)
	}
	params := map[string]string{"subscribers": fmt.Sprint(n)}
	smp := sample{harnessKB: o.PeakRSSKB, serverKB: serverKB, warning: o.Warning,
		published: o.Counter("broadcast", backend, params, "published"),
		delivered: o.Counter("broadcast", backend, params, "delivered"),
		missing:   o.Counter("broadcast", backend, params, "missing"),
		dropped:   o.Counter("broadcast", backend, params, "dropped"),
	}
	row, ok := o.Row("broadcast", backend, params, "last_delivery")
	if !ok {
		return sample{}, fmt.Errorf("no message reached every subscriber (published %d, delivered %d, errors %d); the run says: %s",
			smp.published, smp.delivered, o.Errors("broadcast", backend, params), strings.Join(o.Notes(), "; "))
	}
	smp.lastP50, smp.lastP99, smp.complete = row.P50, row.P99, row.Count
	return smp, nil
}

func mb(kb int64) float64 { return float64(kb) / 1024 }
