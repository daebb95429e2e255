package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"versus/bench/internal/harness"
)

// vegetaModule is the CLI version the platform-facts baseline used, and
// the library version versus is built on.
const vegetaModule = "github.com/tsenart/vegeta/v12@v12.13.0"

// vegetaRun is the vegeta CLI pointed at the null server's /health.
type vegetaRun struct {
	path     string
	duration time.Duration
	url      string
}

// installVegeta installs the vegeta CLI into the session directory, or
// returns nil and a note saying why it could not.
func installVegeta(ctx context.Context, s *harness.Session, duration time.Duration, url string) (*vegetaRun, string) {
	bin := filepath.Join(s.Dir, "gobin")
	cmd := s.Command(ctx, "go", "install", vegetaModule)
	cmd.Dir = s.Dir
	cmd.Env = append(os.Environ(), "GOBIN="+bin)
	fmt.Println("generator: go install " + vegetaModule + " (into a temporary GOBIN) ...")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Sprintf("could not install the vegeta CLI (go install %s: %v), so there is no vegeta baseline:\n%s", vegetaModule, err, out)
	}
	return &vegetaRun{path: filepath.Join(bin, "vegeta"), duration: duration, url: url}, ""
}

// run pipes `vegeta attack` into `vegeta report -type=json`, as a user
// would with a shell pipe, and returns vegeta's throughput (successful
// requests per second).
func (v *vegetaRun) run(s *harness.Session) func(context.Context) (measurement, error) {
	return func(ctx context.Context) (measurement, error) {
		attack := s.Command(ctx, v.path, "attack", "-rate=0", "-max-workers=64", "-duration="+v.duration.String())
		attack.Stdin = strings.NewReader("GET " + v.url + "/health\n")
		report := s.Command(ctx, v.path, "report", "-type=json")
		r, w, err := os.Pipe()
		if err != nil {
			return measurement{}, fmt.Errorf("pipe: %w", err)
		}
		var out, attackErr, reportErr bytes.Buffer
		attack.Stdout, attack.Stderr = w, &attackErr
		report.Stdin, report.Stdout, report.Stderr = r, &out, &reportErr
		if err := s.Start(report); err != nil {
			r.Close()
			w.Close()
			return measurement{}, fmt.Errorf("start vegeta report: %w", err)
		}
		err = s.Start(attack)
		// The children hold their own ends now; closing ours lets report
		// see the end of the stream when attack exits.
		r.Close()
		w.Close()
		if err != nil {
			_ = report.Process.Kill()
			_ = s.Wait(report)
			return measurement{}, fmt.Errorf("start vegeta attack: %w", err)
		}
		if err := s.Wait(attack); err != nil {
			_ = report.Process.Kill()
			_ = s.Wait(report)
			return measurement{}, fmt.Errorf("vegeta attack: %w\n%s", err, attackErr.String())
		}
		if err := s.Wait(report); err != nil {
			return measurement{}, fmt.Errorf("vegeta report: %w\n%s", err, reportErr.String())
		}
		return parseVegeta(out.Bytes())
	}
}

// parseVegeta reads the throughput (successful requests per second) of a
// JSON report, with a note when some requests failed.
func parseVegeta(report []byte) (measurement, error) {
	var m struct {
		Requests   uint64   `json:"requests"`
		Throughput float64  `json:"throughput"`
		Success    float64  `json:"success"`
		Errors     []string `json:"errors"`
	}
	if err := json.Unmarshal(report, &m); err != nil {
		return measurement{}, fmt.Errorf("read vegeta's JSON report: %w\n%s", err, report)
	}
	if m.Requests == 0 {
		return measurement{}, fmt.Errorf("vegeta sent no requests:\n%s", report)
	}
	out := measurement{rate: m.Throughput}
	if m.Success < 1 {
		out.note = fmt.Sprintf("%.2f%% of %d requests succeeded (errors: %s); throughput counts successes only",
			m.Success*100, m.Requests, strings.Join(m.Errors, "; "))
	}
	return out, nil
}
