package reports

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"versus/results"
)

// fixture builds runs for tests with seeded, realistic distributions.
type fixture struct {
	run   *results.Run
	rng   *rand.Rand
	clock time.Time
}

var (
	edgeTarget       = results.TargetInfo{Name: "edge", Kind: "edge", Model: "edge", Version: "1", Capabilities: []string{"http", "webhook", "schedule", "subscribe"}, ScheduleVia: []string{"alarm", "cron", "queue"}, Location: "embedded"}
	integratedTarget = results.TargetInfo{Name: "integrated", Kind: "integrated", Model: "integrated", Version: "1", Capabilities: []string{"http", "webhook", "schedule", "subscribe"}, ScheduleVia: []string{"runafter"}, Location: "embedded"}
	nullTargetInfo   = results.TargetInfo{Name: "null", Kind: "null", Model: "other", Capabilities: []string{"http"}, Location: "embedded"}
)

func newFixture(seed uint64, targets ...results.TargetInfo) *fixture {
	start := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	return &fixture{
		run: &results.Run{ID: "20260901-120000", Suite: "test-suite", Started: start, Ended: start.Add(90 * time.Second),
			Host: results.Host{Hostname: "box", OS: "linux", Arch: "amd64", CPUs: 2, GoVersion: "go1.26", Versus: "test"}, Targets: targets},
		rng:   rand.New(rand.NewPCG(seed, seed+1)),
		clock: start,
	}
}

// lognormal draws latencies around median with spread sigma (log scale).
func (f *fixture) lognormal(median time.Duration, sigma float64) func() time.Duration {
	return func() time.Duration {
		return time.Duration(float64(median) * math.Exp(f.rng.NormFloat64()*sigma))
	}
}

// cell adds a cell of n observations per metric spread over 5 seconds.
func (f *fixture) cell(scenario, kind, target string, trial int, params map[string]string, n int, metrics map[string]func() time.Duration, counters map[string]int64) *results.Cell {
	c := results.NewCell(scenario, kind, target, trial, params, f.clock)
	for name, draw := range metrics {
		for i := range n {
			c.Observe(name, f.clock.Add(time.Duration(i)*5*time.Second/time.Duration(n)), draw())
		}
	}
	for k, v := range counters {
		c.Add(k, v)
	}
	c.Finish(f.clock.Add(5 * time.Second))
	f.clock = f.clock.Add(6 * time.Second)
	f.run.Cells = append(f.run.Cells, c)
	return c
}

// standardRun has every scenario kind against edge, integrated and null.
func standardRun(t testing.TB, trials int) *results.Run {
	t.Helper()
	f := newFixture(42, nullTargetInfo, edgeTarget, integratedTarget)
	ms := time.Millisecond
	for trial := 1; trial <= trials; trial++ {
		f.cell("health", kindHTTP, "null", trial, nil, 500, map[string]func() time.Duration{
			"latency": f.lognormal(80*time.Microsecond, 0.3), "service_time": f.lognormal(70*time.Microsecond, 0.3)},
			map[string]int64{"sent": 500, "ok": 500})
		for _, tg := range []struct {
			name        string
			http, hook  time.Duration
			propagation time.Duration
		}{{"edge", 300 * time.Microsecond, 2 * ms, 3 * ms}, {"integrated", 250 * time.Microsecond, 1 * ms, 5 * ms}} {
			f.cell("health", kindHTTP, tg.name, trial, nil, 500, map[string]func() time.Duration{
				"latency": f.lognormal(tg.http, 0.4), "service_time": f.lognormal(tg.http*9/10, 0.4)},
				map[string]int64{"sent": 500, "ok": 500})
			f.cell("stripe", kindWebhook, tg.name, trial, nil, 400, map[string]func() time.Duration{
				"latency": f.lognormal(tg.hook, 0.3), "service_time": f.lognormal(tg.hook*9/10, 0.3)},
				map[string]int64{"sent": 400, "accepted": 360, "rejected_expected": 40, "accepted_invalid": 0, "lost": 0})
			f.cell("chat", kindSubscribe, tg.name, trial, nil, 300, map[string]func() time.Duration{
				"propagation": f.lognormal(tg.propagation, 0.3), "ack": f.lognormal(tg.hook, 0.3)},
				map[string]int64{"published": 300, "delivered": 300, "missing": 0, "out_of_order": 0})
			for _, n := range []int{1, 10, 100} {
				f.cell("broadcast", kindFanout, tg.name, trial, map[string]string{"subscribers": strconv.Itoa(n)}, 20*n, map[string]func() time.Duration{
					"delivery": f.lognormal(tg.propagation*time.Duration(1+n/10), 0.3), "last_delivery": f.lognormal(tg.propagation*time.Duration(2+n/5), 0.2)},
					map[string]int64{"missing": 0})
			}
		}
		for _, via := range []struct {
			target, via string
			lateness    time.Duration
		}{{"integrated", "runafter", 2 * ms}, {"edge", "alarm", 4 * ms}, {"edge", "queue", 600 * ms}, {"edge", "cron", 2500 * ms}} {
			for _, delay := range []string{"0ms", "1s"} {
				f.cell("jobs", kindSchedule, via.target, trial, map[string]string{"via": via.via, "delay": delay}, 50, map[string]func() time.Duration{
					"lateness_server": f.lognormal(via.lateness*8/10, 0.5), "lateness_observed": f.lognormal(via.lateness, 0.5)},
					map[string]int64{"scheduled": 50, "fired": 50, "missed": 0, "duplicate_runs": 0})
			}
		}
	}
	f.run.Ended = f.clock
	return f.run
}
