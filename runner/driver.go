package runner

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"versus/results"
	"versus/scenarios"
)

// DefaultMaxInFlight bounds concurrent operations of one load. vegeta has
// no bound; without one, an overloaded target makes the generator spawn
// workers until the machine thrashes and the achieved rate collapses.
const DefaultMaxInFlight = 1024

// Headers that map a response back to its request. vegeta sends its own
// on every request; Versus adds the op header to requests whose judge
// needs to know what was sent (a webhook's kind of delivery). Servers
// ignore both, so they go out as they are: stripping them would cost a
// copy of every request.
const (
	opHeader  = "X-Versus-Op"
	seqHeader = "X-Vegeta-Seq"
)

// driver implements scenarios.Driver on vegeta.
type driver struct {
	// tick reports progress: n more operations done.
	tick func(n int64)
}

// HTTP runs an open-model HTTP load with vegeta's attacker.
func (d *driver) HTTP(ctx context.Context, cell *results.Cell, load scenarios.Load, next func(uint64) scenarios.Request, judge func(scenarios.Response) scenarios.Verdict) error {
	inFlight := load.MaxInFlight
	if inFlight <= 0 {
		inFlight = DefaultMaxInFlight
	}
	tr := &tagTransport{base: newTransport(inFlight)}
	defer tr.base.CloseIdleConnections()
	atk := vegeta.NewAttacker(
		vegeta.Client(&http.Client{Transport: tr, Timeout: load.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}),
		vegeta.Workers(uint64(min(inFlight, 64))),
		vegeta.MaxWorkers(uint64(inFlight)),
		vegeta.MaxBody(1<<20),
	)
	var ops sync.Map // op number -> Request.Meta
	var opN atomic.Uint64
	warm := load.WarmupHits()
	targeter := func(t *vegeta.Target) error {
		n := opN.Add(1) - 1
		if n == warm && load.OnMeasured != nil {
			load.OnMeasured()
		}
		r := next(n)
		// vegeta copies the header into each request it builds, so a
		// scenario's shared header is safe here; only a request with
		// Meta is tagged, on its own copy.
		t.Method, t.URL, t.Body, t.Header = r.Method, r.URL, r.Body, r.Header
		if r.Meta != nil {
			t.Header = r.Header.Clone()
			if t.Header == nil {
				t.Header = http.Header{}
			}
			t.Header.Set(opHeader, strconv.FormatUint(n, 10))
			ops.Store(n, r.Meta)
		}
		return nil
	}
	pacer := &ConstantRate{PerSecond: load.Rate, Hits: load.Hits()}
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	for res := range atk.Attack(targeter, pacer, 0, cell.Scenario) {
		hit := scenarios.Hit{N: res.Seq, Intended: pacer.Intended(res.Seq), Warmup: res.Seq < warm}
		var meta any
		if op, ok := tr.ops.LoadAndDelete(res.Seq); ok {
			meta, _ = ops.LoadAndDelete(op)
		}
		resp := scenarios.Response{Hit: hit, Meta: meta, Code: int(res.Code), Body: res.Body,
			Sent: res.Timestamp, Done: res.Timestamp.Add(res.Latency)}
		if res.Code == 0 {
			resp.Err = res.Error
			if resp.Err == "" {
				resp.Err = "no response"
			}
		}
		v := judge(resp)
		d.tick(1)
		if hit.Warmup {
			continue
		}
		record(cell, hit, resp.Sent, resp.Done, v, pacer.Intended(load.Hits()))
	}
	return ctx.Err()
}

// record books one measured operation: timed if OK, an error otherwise,
// and a shortfall if it left after the phase's window had closed.
func record(cell *results.Cell, hit scenarios.Hit, sent, done time.Time, v scenarios.Verdict, windowEnd time.Time) {
	cell.Add("sent", 1)
	if sent.After(windowEnd) {
		cell.Add("shortfall", 1)
	}
	if !v.OK {
		cell.Error(v.Class)
		return
	}
	cell.Add("ok", 1)
	if v.Untimed {
		return
	}
	cell.Observe("latency", hit.Intended, done.Sub(hit.Intended))
	cell.Observe("service_time", hit.Intended, done.Sub(sent))
}

// Pace calls op at the load's rate with at most MaxInFlight calls at once.
func (d *driver) Pace(ctx context.Context, load scenarios.Load, op func(context.Context, scenarios.Hit)) error {
	inFlight := load.MaxInFlight
	if inFlight <= 0 {
		inFlight = DefaultMaxInFlight
	}
	pacer := &ConstantRate{PerSecond: load.Rate, Hits: load.Hits()}
	warm := load.WarmupHits()
	sem := make(chan struct{}, inFlight)
	var wg sync.WaitGroup
	began := time.Now()
	for n := uint64(0); ; n++ {
		if _, stop := pacer.Pace(time.Since(began), n); stop {
			break
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		if n == warm && load.OnMeasured != nil {
			load.OnMeasured()
		}
		wg.Add(1)
		go func(h scenarios.Hit) {
			defer wg.Done()
			defer func() { <-sem }()
			op(ctx, h)
			d.tick(1)
		}(scenarios.Hit{N: n, Intended: pacer.Intended(n), Warmup: n < warm})
	}
	wg.Wait()
	return ctx.Err()
}

// newTransport is a keep-alive HTTP/1.1 transport sized for the load.
func newTransport(conns int) *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
}

// tagTransport notes which op each tagged vegeta seq carried.
type tagTransport struct {
	base *http.Transport
	ops  sync.Map // seq -> op
}

func (t *tagTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if op := req.Header.Get(opHeader); op != "" {
		seq, _ := strconv.ParseUint(req.Header.Get(seqHeader), 10, 64)
		n, _ := strconv.ParseUint(op, 10, 64)
		t.ops.Store(seq, n)
	}
	return t.base.RoundTrip(req)
}
