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

	"versus/results"
)

// exitCorrectness is the status of a run that finished and found a
// correctness failure (lost or duplicated data): its summary is complete.
const exitCorrectness = 3

// Outcome is one finished `versus run`.
type Outcome struct {
	// Dir is the run directory (run.json, summary.json).
	Dir     string
	Summary results.Summary
	// PeakRSSKB is the harness process's peak resident set size.
	PeakRSSKB int64
	// Warning is set when versus exited non-zero after writing
	// summary.json: a correctness failure it found (exit 3), or a report
	// it could not render. The figures stand, but the reader must be told.
	Warning string
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
	cmd := s.versus(ctx, append(append([]string{"run"}, args...), "--out", dir)...)
	cmd.Dir = s.Dir
	cmd.Stdout = io.Discard
	cmd.Stderr = stderr
	if progress != nil {
		cmd.Stderr = io.MultiWriter(progress, stderr)
	}
	if err := s.Start(cmd); err != nil {
		return nil, fmt.Errorf("start versus run: %w", err)
	}
	err := s.Wait(cmd)
	o := &Outcome{Dir: dir, PeakRSSKB: PeakRSSKB(cmd)}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	b, readErr := os.ReadFile(filepath.Join(dir, results.SummaryFile))
	if err != nil {
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit) && exit.ExitCode() == exitCorrectness && readErr == nil:
			o.Warning = "versus found a correctness failure: " + firstLines(stderr.String(), 3)
		case readErr == nil:
			o.Warning = fmt.Sprintf("versus run failed after writing its summary (%v): %s", err, firstLines(stderr.String(), 3))
		default:
			return nil, fmt.Errorf("versus run %v: %w\n%s", args, err, stderr)
		}
	}
	if readErr != nil {
		return nil, fmt.Errorf("versus run %v finished without a summary: %w\n%s", args, readErr, stderr)
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

// Notes are what the run recorded for a reader (failed cells, skipped
// scenarios), read from run.json: the summary does not carry them.
func (o *Outcome) Notes() []string {
	r, err := results.Load(o.Dir)
	if err != nil {
		return []string{err.Error()}
	}
	return r.Notes
}

// firstLines keeps the start of a failure's output from its first line
// that names a panic or error, which is where the cause is.
func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "versus:") || strings.HasPrefix(l, "CORRECTNESS FAILURE") {
			lines = lines[i:]
			break
		}
	}
	return strings.Join(lines[:min(n, len(lines))], " | ")
}
