package main

import (
	"strings"
	"testing"
)

const wrkClean = `Running 5s test @ http://127.0.0.1:4000/health
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   610.12us  300.01us   9.00ms   80.00%
    Req/Sec    52.10k     3.00k   60.00k    70.00%
  518000 requests in 5.00s, 60.00MB read
Requests/sec: 103600.25
Transfer/sec:     12.00MB
`

func TestParseWrk(t *testing.T) {
	cases := []struct {
		name     string
		out      string
		want     float64
		wantNote string
		wantErr  string
	}{
		{"a clean run gives its Requests/sec", wrkClean, 103600.25, "", ""},
		{"socket errors are noted with the total", strings.Replace(wrkClean, "Requests/sec",
			"  Socket errors: connect 0, read 12, write 0, timeout 3\nRequests/sec", 1), 103600.25,
			"of 518000 requests: socket errors: connect 0, read 12, write 0, timeout 3", ""},
		{"non-2xx responses are noted", strings.Replace(wrkClean, "Requests/sec",
			"  Non-2xx or 3xx responses: 40\nRequests/sec", 1), 103600.25, "40 non-2xx responses", ""},
		{"output without a rate is an error", "unable to connect to 127.0.0.1:4000", 0, "", "no Requests/sec"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := parseWrk(c.out)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil || m.rate != c.want || !strings.Contains(m.note, c.wantNote) || (c.wantNote == "") != (m.note == "") {
				t.Errorf("parseWrk = %+v, %v; want rate %v, note containing %q", m, err, c.want, c.wantNote)
			}
		})
	}
}

func TestParseVegeta(t *testing.T) {
	cases := []struct {
		name     string
		report   string
		want     float64
		wantNote string
		wantErr  string
	}{
		{"a clean run gives its throughput", `{"requests": 200000, "rate": 40010.5, "throughput": 40001.2, "success": 1, "errors": []}`, 40001.2, "", ""},
		{"failures are noted", `{"requests": 1000, "throughput": 900, "success": 0.9, "errors": ["connection refused"]}`, 900, "90.00% of 1000", ""},
		{"no requests is an error", `{"requests": 0, "throughput": 0, "success": 0}`, 0, "", "no requests"},
		{"a text report is an error", `Requests [total] 10`, 0, "", "JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := parseVegeta([]byte(c.report))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil || m.rate != c.want || !strings.Contains(m.note, c.wantNote) || (c.wantNote == "") != (m.note == "") {
				t.Errorf("parseVegeta = %+v, %v; want rate %v, note containing %q", m, err, c.want, c.wantNote)
			}
		})
	}
}

func TestStepPassed(t *testing.T) {
	cases := []struct {
		name string
		r    stepResult
		want bool
	}{
		{"a clean step passes", stepResult{sent: 10000}, true},
		{"errors just under 1% pass", stepResult{sent: 10000, errors: 99}, true},
		{"errors at 1% fail", stepResult{sent: 10000, errors: 100}, false},
		{"shortfall just under 0.1% passes", stepResult{sent: 10000, shortage: 9}, true},
		{"shortfall at 0.1% fails", stepResult{sent: 10000, shortage: 10}, false},
		{"a step that sent nothing fails", stepResult{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.r.passed(); got != c.want {
				t.Errorf("%+v passed = %v, want %v", c.r, got, c.want)
			}
		})
	}
}
