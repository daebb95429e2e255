package scenarios

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"versus/targets"
)

// HTTPScenario sends one request shape at a rate (kind http).
type HTTPScenario struct {
	Base     `yaml:",inline"`
	Method   string        `yaml:"method"`
	Path     string        `yaml:"path"`
	Body     string        `yaml:"body"`
	Rate     float64       `yaml:"rate"`
	Duration time.Duration `yaml:"duration"`
	Warmup   time.Duration `yaml:"warmup"`
	Timeout  time.Duration `yaml:"timeout"`
	// Expect is the status that counts as success (0: any 2xx).
	Expect      int `yaml:"expect"`
	MaxInFlight int `yaml:"max_in_flight"`
	// Seed writes the item a GET /items path reads before the load, so a
	// read scenario measures reads, not 404s.
	Seed bool `yaml:"seed"`
}

func init() {
	register(Kind{
		Name:    "http",
		Summary: "one request shape at a fixed rate (open model); metrics latency, service_time",
		Fields: map[string]string{
			"method":        "HTTP method (default GET)",
			"path":          "path on the target, e.g. /health or /items/a?reads=5 (required)",
			"body":          "request body (JSON)",
			"rate":          "requests per second (required, > 0)",
			"duration":      "measured phase (default 5s)",
			"warmup":        "unmeasured phase before it (default 1s)",
			"timeout":       "per request (default 10s)",
			"expect":        "status that counts as success (default: any 2xx)",
			"max_in_flight": "concurrent requests at most (default 1024)",
			"seed":          "PUT the item a GET /items/{id} path reads before the load (default true for /items paths)",
			"targets":       "limit to these suite targets",
		},
		New: func() Scenario {
			return &HTTPScenario{Method: http.MethodGet, Duration: 5 * time.Second, Warmup: time.Second, Timeout: 10 * time.Second, Seed: true}
		},
	})
}

// Validate checks the fields.
func (s *HTTPScenario) Validate() []FieldError {
	var errs []FieldError
	if s.Path == "" || !strings.HasPrefix(s.Path, "/") {
		errs = append(errs, fieldErr("path", "%q: must start with /", s.Path))
	}
	s.Method = strings.ToUpper(s.Method)
	switch s.Method {
	case "GET", "PUT", "POST", "DELETE", "PATCH", "HEAD":
	default:
		errs = append(errs, fieldErr("method", "%q: not an HTTP method", s.Method))
	}
	errs = append(errs, validateLoad(s.Rate, s.Duration, s.Warmup, s.Timeout)...)
	if s.Expect != 0 && (s.Expect < 100 || s.Expect > 599) {
		errs = append(errs, fieldErr("expect", "%d: not an HTTP status", s.Expect))
	}
	if s.MaxInFlight < 0 {
		errs = append(errs, fieldErr("max_in_flight", "must not be negative"))
	}
	return errs
}

// validateLoad checks the fields every paced scenario shares.
func validateLoad(rate float64, duration, warmup, timeout time.Duration) []FieldError {
	var errs []FieldError
	if rate <= 0 {
		errs = append(errs, fieldErr("rate", "%v: must be above 0", rate))
	} else if rate > 1e6 {
		errs = append(errs, fieldErr("rate", "%v: above 1,000,000/s", rate))
	}
	if duration <= 0 {
		errs = append(errs, fieldErr("duration", "%v: must be above 0", duration))
	}
	if warmup < 0 {
		errs = append(errs, fieldErr("warmup", "%v: must not be negative", warmup))
	}
	if timeout <= 0 {
		errs = append(errs, fieldErr("timeout", "%v: must be above 0", timeout))
	}
	return errs
}

// Needs lists the capabilities: items paths need items, reads need more.
func (s *HTTPScenario) Needs() []string {
	needs := []string{targets.CapHTTP}
	if strings.HasPrefix(s.Path, "/items/") {
		needs = append(needs, targets.CapItems)
		if strings.Contains(s.Path, "reads=") {
			needs = append(needs, targets.CapItemsReads)
		}
	}
	return needs
}

// Preflight has nothing beyond capabilities to check.
func (s *HTTPScenario) Preflight(targets.Discovery) (string, error) { return "", nil }

// params names the cell: method and path (the cost model tells item
// writes from reads by them), and the reads count when the path has one.
func (s *HTTPScenario) params() map[string]string {
	p := map[string]string{"method": s.Method, "path": s.Path}
	if i := strings.Index(s.Path, "reads="); i >= 0 {
		v := s.Path[i+len("reads="):]
		if j := strings.IndexAny(v, "&#"); j >= 0 {
			v = v[:j]
		}
		p["reads"] = v
	}
	return p
}

// Run sends the load.
func (s *HTTPScenario) Run(ctx context.Context, env *Env) error {
	url := env.Target.URL() + s.Path
	if s.Seed && s.Method == http.MethodGet && strings.HasPrefix(s.Path, "/items/") {
		if err := seedItem(ctx, env, url); err != nil {
			return err
		}
	}
	var body []byte
	var header http.Header
	if s.Body != "" {
		body = []byte(s.Body)
		header = http.Header{"Content-Type": {"application/json"}}
	}
	cell := env.Cell(s.params())
	cell.SetTimelineStep(timelineStep(s.Warmup + s.Duration))
	var meters meterWindow
	defer meters.close()
	load := Load{Rate: s.Rate, Duration: s.Duration, Warmup: s.Warmup, Timeout: s.Timeout, MaxInFlight: s.MaxInFlight,
		OnMeasured: func() { meters.open(env, cell) }}
	next := func(uint64) Request { return Request{Method: s.Method, URL: url, Header: header, Body: body} }
	return env.Driver.HTTP(ctx, cell, load, next, func(r Response) Verdict { return judgeStatus(r, s.Expect) })
}

// judgeStatus is the plain verdict: the expected status, or any 2xx.
func judgeStatus(r Response, expect int) Verdict {
	if r.Err != "" {
		return Verdict{Class: transportClass(r.Err)}
	}
	if (expect == 0 && r.Code >= 200 && r.Code < 300) || r.Code == expect {
		return Verdict{OK: true}
	}
	return Verdict{Class: statusClass(r.Code)}
}

func statusClass(code int) string {
	return "status_" + strconv.Itoa(code/100) + "xx"
}

// transportClass sorts a transport error into timeout or connection.
func transportClass(err string) string {
	if strings.Contains(err, "Timeout") || strings.Contains(err, "deadline exceeded") || strings.Contains(err, "timeout") {
		return "timeout"
	}
	return "connection"
}

func seedItem(ctx context.Context, env *Env, url string) error {
	if i := strings.IndexByte(url, '?'); i >= 0 {
		url = url[:i]
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, strings.NewReader(`{"value":{"seeded":true}}`))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := env.Client.Do(req)
	if err != nil {
		return fmt.Errorf("seed %s: %w", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("seed %s: status %d", url, resp.StatusCode)
	}
	return nil
}
