package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"versus/bench/internal/harness"
)

// wrkRun is wrk pointed at the null server's /health.
type wrkRun struct {
	path     string
	duration time.Duration
	url      string
}

// findWrk returns wrk, or nil and a note saying how to get it.
func findWrk(duration time.Duration, url string) (*wrkRun, string) {
	path, err := exec.LookPath("wrk")
	if err != nil {
		return nil, "wrk is not installed, so there is no wrk baseline: install it (Debian/Ubuntu: apt-get install -y wrk) and run again"
	}
	return &wrkRun{path: path, duration: duration, url: url}, ""
}

func (w *wrkRun) run(s *harness.Session) func(context.Context) (measurement, error) {
	return func(ctx context.Context) (measurement, error) {
		var out, stderr bytes.Buffer
		cmd := s.Command(ctx, w.path, "-t2", "-c64", "-d"+strconv.Itoa(int(w.duration.Seconds()))+"s", w.url+"/health")
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := s.Start(cmd); err != nil {
			return measurement{}, fmt.Errorf("start wrk: %w", err)
		}
		if err := s.Wait(cmd); err != nil {
			return measurement{}, fmt.Errorf("wrk: %w\n%s%s", err, out.String(), stderr.String())
		}
		return parseWrk(out.String())
	}
}

var (
	wrkRate     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	wrkSocket   = regexp.MustCompile(`Socket errors:[^\n]*`)
	wrkRequests = regexp.MustCompile(`(\d+) requests in`)
)

// parseWrk reads Requests/sec from wrk's report, with a note when some
// requests failed: wrk counts them in its rate, so the figure flatters it
// by that much.
func parseWrk(out string) (measurement, error) {
	m := wrkRate.FindStringSubmatch(out)
	if m == nil {
		return measurement{}, fmt.Errorf("no Requests/sec in wrk's output:\n%s", out)
	}
	rate, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return measurement{}, fmt.Errorf("wrk Requests/sec %q: %w", m[1], err)
	}
	var notes []string
	if e := wrkNon2xx.FindStringSubmatch(out); e != nil {
		notes = append(notes, e[1]+" non-2xx responses")
	}
	if e := wrkSocket.FindString(out); e != "" {
		notes = append(notes, strings.ToLower(e[:1])+e[1:])
	}
	if len(notes) > 0 {
		total := "?"
		if r := wrkRequests.FindStringSubmatch(out); r != nil {
			total = r[1]
		}
		return measurement{rate: rate, note: fmt.Sprintf("of %s requests: %s (counted in the rate)", total, strings.Join(notes, ", "))}, nil
	}
	return measurement{rate: rate}, nil
}
