package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"versus/results"
)

// Exit statuses of `versus run` that still leave a complete summary.
const (
	exitOK          = 0
	exitCorrectness = 3
)

// Outcome is one finished `versus run`.
type Outcome struct {
	// Dir is the run directory (run.json, summary.json).
	Dir     string
	Summary results.Summary
	// PeakRSSKB is the harness process's peak resident set size.
	PeakRSSKB int64
	// Elapsed is the wall time of the whole process.
	Elapsed time.Duration
	// CorrectnessFailure is set when versus exited 3: the data is there,
	// and a counter says what went wrong.
	CorrectnessFailure bool
}

// RunSuite writes suiteYAML to a file and runs it. The run's progress
// lines go to progress (nil: kept only to explain a failure).
func (s *Session) RunSuite(ctx context.Context, suiteYAML string, progress io.Writer) (*Outcome, error) {
	file := s.TempPath("suite") + ".yaml"
	if err := os.WriteFile(file, []byte(suiteYAML), 0o600); err != nil {
		return nil, fmt.Errorf("write suite: %w", err)
	}
	return s.run(ctx, progress, file)
}

// RunBuiltin runs a suite embedded in the binary (versus run --suite NAME).
func (s *Session) RunBuiltin(ctx context.Context, name string, progress io.Writer) (*Outcome, error) {
	return s.run(ctx, progress, "--suite", name)
}

func (s *Session) run(ctx context.Context, progress io.Writer, args ...string) (*Outcome, error) {
	dir := s.TempPath("run")
	stderr := &tail{}
	cmd := s.Command(ctx, s.Bin, append(append([]string{"run"}, args...), "--out", dir)...)
	cmd.Dir = s.Dir
	cmd.Stdout = io.Discard
	cmd.Stderr = stderr
	if progress != nil {
		cmd.Stderr = io.MultiWriter(progress, stderr)
	}
	began := time.Now()
	if err := s.Start(cmd); err != nil {
		return nil, fmt.Errorf("start versus run: %w", err)
	}
	err := s.Wait(cmd)
	o := &Outcome{Dir: dir, PeakRSSKB: PeakRSSKB(cmd), Elapsed: time.Since(began)}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != exitCorrectness {
			return nil, fmt.Errorf("versus run %v: %w\n%s", args, err, stderr)
		}
		o.CorrectnessFailure = true
	}
	b, err := os.ReadFile(filepath.Join(dir, results.SummaryFile))
	if err != nil {
		return nil, fmt.Errorf("versus run %v finished without a summary: %w\n%s", args, err, stderr)
	}
	if err := json.Unmarshal(b, &o.Summary); err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, results.SummaryFile), err)
	}
	return o, nil
}

// Counter sums a counter over the summary's cells of scenario on target
// whose params include every pair of params (nil: any params).
func (o *Outcome) Counter(scenario, target string, params map[string]string, name string) int64 {
	var n int64
	for _, c := range o.Summary.Counters {
		if c.Scenario == scenario && c.Target == target && c.Name == name && includes(c.Params, params) {
			n += c.Value
		}
	}
	return n
}

// Errors sums the failed operations (every error.<class> counter).
func (o *Outcome) Errors(scenario, target string, params map[string]string) int64 {
	var n int64
	for _, c := range o.Summary.Counters {
		if c.Scenario == scenario && c.Target == target && strings.HasPrefix(c.Name, "error.") && includes(c.Params, params) {
			n += c.Value
		}
	}
	return n
}

// Row finds the summary row of one metric.
func (o *Outcome) Row(scenario, target string, params map[string]string, metric string) (results.SummaryRow, bool) {
	for _, r := range o.Summary.Rows {
		if r.Scenario == scenario && r.Target == target && r.Metric == metric && includes(r.Params, params) {
			return r, true
		}
	}
	return results.SummaryRow{}, false
}

func includes(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}
