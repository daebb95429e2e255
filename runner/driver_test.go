package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"versus/results"
	"versus/scenarios"
)

func get(url string) func(uint64) scenarios.Request {
	return func(uint64) scenarios.Request { return scenarios.Request{Method: "GET", URL: url} }
}

func ok200(r scenarios.Response) scenarios.Verdict {
	if r.Err == "" && r.Code == 200 {
		return scenarios.Verdict{OK: true}
	}
	return scenarios.Verdict{Class: "status"}
}

func attack(t *testing.T, h http.Handler, load scenarios.Load) *results.Cell {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	cell := results.NewCell("t", "http", "test", 1, nil, time.Now())
	d := &driver{tick: func(int64) {}}
	if err := d.HTTP(context.Background(), cell, load, get(srv.URL), ok200); err != nil {
		t.Fatal(err)
	}
	return cell
}

func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// A server that answers after exactly 5 ms must read as 5 ms: the harness
// adds little, and never less than nothing.
func TestLatencyOfAFixedDelayServerIsMeasuredAccurately(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sleep(5 * time.Millisecond)
		w.WriteHeader(200)
	})
	cell := attack(t, h, scenarios.Load{Rate: 100, Duration: 2 * time.Second, Warmup: 200 * time.Millisecond, Timeout: time.Second})
	lat := cell.Histogram("latency")
	svc := cell.Histogram("service_time")
	t.Logf("n=%d latency p50 %.3f ms p99 %.3f ms; service_time p50 %.3f ms", lat.Count(),
		msOf(lat.Quantile(.5)), msOf(lat.Quantile(.99)), msOf(svc.Quantile(.5)))
	if lat.Count() != 200 {
		t.Errorf("recorded %d latencies, want 200 (warm-up excluded)", lat.Count())
	}
	if p50 := msOf(lat.Quantile(.5)); p50 < 5.0 || p50 > 6.0 {
		t.Errorf("latency p50 %.3f ms, want within [5.0, 6.0]", p50)
	}
}

// One 500 ms stall in a 5 s run at 200/s: requests that could not be sent
// during the stall are charged from when they were due (latency), while
// the server's own time per request (service_time) stays low. This is the
// coordinated-omission correction wrk2 made famous.
func TestAStallIsChargedToEveryRequestDueDuringIt(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	var once sync.Once
	start := time.Now()
	var mu sync.Mutex
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if time.Since(start) > 2*time.Second {
			once.Do(func() {
				mu.Lock()
				go func() { time.Sleep(500 * time.Millisecond); mu.Unlock() }()
			})
		}
		mu.Lock()
		mu.Unlock()
		w.WriteHeader(200)
	})
	// Few connections, as wrk2 runs: a blocked client cannot send, so the
	// generator falls behind and only the correction tells the truth.
	cell := attack(t, h, scenarios.Load{Rate: 200, Duration: 5 * time.Second, Timeout: 2 * time.Second, MaxInFlight: 4})
	lat, svc := cell.Histogram("latency"), cell.Histogram("service_time")
	t.Logf("n=%d latency p99 %.1f ms max %.1f; service_time p99 %.1f ms max %.1f", lat.Count(),
		msOf(lat.Quantile(.99)), msOf(lat.Max()), msOf(svc.Quantile(.99)), msOf(svc.Max()))
	if lat.Count() != 1000 {
		t.Errorf("recorded %d, want 1000", lat.Count())
	}
	if p99 := lat.Quantile(.99); p99 < 250*time.Millisecond {
		t.Errorf("latency p99 %v, want >= 250ms", p99)
	}
	if svc.Quantile(.99) > lat.Quantile(.99)/5 {
		t.Errorf("service_time p99 %v is not far below latency p99 %v", svc.Quantile(.99), lat.Quantile(.99))
	}
}

// A failed request is an error of its class, never a latency.
func TestErrorsAreCountedAndNeverTimed(t *testing.T) {
	var n int
	var mu sync.Mutex
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		fail := n%4 == 0
		mu.Unlock()
		if fail {
			w.WriteHeader(503)
			return
		}
		w.WriteHeader(200)
	})
	cell := attack(t, h, scenarios.Load{Rate: 400, Duration: 500 * time.Millisecond, Timeout: time.Second})
	ok, errs := cell.Histogram("latency").Count(), cell.ErrorCount()
	if ok+errs != 200 || errs != 50 {
		t.Errorf("ok %d + errors %d, want 150 + 50", ok, errs)
	}
	if cell.Counter("sent") != 200 {
		t.Errorf("sent %d, want 200", cell.Counter("sent"))
	}
}
