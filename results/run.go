package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// Run is everything a run produced, enough to re-render every report.
type Run struct {
	ID    string `json:"run_id"`
	Suite string `json:"suite"`
	// SuiteYAML is the suite text as run, for reproduction. Secrets are
	// never in a suite file: only the names of the variables holding them.
	SuiteYAML   string       `json:"suite_yaml,omitempty"`
	Started     time.Time    `json:"started"`
	Ended       time.Time    `json:"ended"`
	Interrupted bool         `json:"interrupted"`
	Host        Host         `json:"host"`
	Targets     []TargetInfo `json:"targets"`
	// Topology describes the network links of the run (see the runner);
	// kept opaque here so results knows nobody.
	Topology json.RawMessage `json:"topology,omitempty"`
	// Shard is "i/n" when the run is one shard of a larger one.
	Shard string `json:"shard,omitempty"`
	// Notes are things a reader must know: skipped scenarios, failures.
	Notes []string `json:"notes,omitempty"`
	Cells []*Cell  `json:"cells"`
}

// Host describes the machine that generated the load.
type Host struct {
	Hostname  string `json:"hostname"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	CPUs      int    `json:"cpus"`
	GoVersion string `json:"go_version"`
	Versus    string `json:"versus_version"`
}

// ThisHost describes the current machine.
func ThisHost(version string) Host {
	name, _ := os.Hostname()
	return Host{Hostname: name, OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(),
		GoVersion: runtime.Version(), Versus: version}
}

// TargetInfo is what a run records of a target.
type TargetInfo struct {
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	Model        string   `json:"model"`
	Version      string   `json:"version,omitempty"`
	Capabilities []string `json:"capabilities"`
	ScheduleVia  []string `json:"schedule_via,omitempty"`
	// Location is where the target ran: "embedded", "local process" or
	// a remote URL's host. Never a credential.
	Location string `json:"location,omitempty"`
}

// Files in a run directory.
const (
	RunFile     = "run.json"
	SummaryFile = "summary.json"
)

// MarshalJSON snapshots the cell under its lock, so a run can be saved
// while other cells are still being recorded.
func (c *Cell) MarshalJSON() ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	type plain Cell
	return json.Marshal((*plain)(c))
}

// Save writes run.json and summary.json into dir atomically.
func (r *Run) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("results: encode %s: %w", RunFile, err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, RunFile), b); err != nil {
		return err
	}
	s, err := json.MarshalIndent(Summarize(r), "", "  ")
	if err != nil {
		return fmt.Errorf("results: encode %s: %w", SummaryFile, err)
	}
	return WriteFileAtomic(filepath.Join(dir, SummaryFile), s)
}

// WriteFileAtomic writes data to a temporary file beside path, syncs it and
// renames it over path, so readers see the old file or the new, never half.
func WriteFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("results: write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("results: sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// Load reads dir/run.json. Errors name the file and what is wrong with it.
func Load(dir string) (*Run, error) {
	path := filepath.Join(dir, RunFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if _, serr := os.Stat(dir); serr != nil {
			return nil, fmt.Errorf("%s: no such run directory", dir)
		}
		return nil, fmt.Errorf("%s: missing: not a run directory, or the run ended before its first cell", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var r Run
	if err := json.Unmarshal(b, &r); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s: corrupted at byte %d of %d: %v", path, se.Offset, len(b), err)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.ID == "" {
		return nil, fmt.Errorf("%s: no run_id: not a versus run file", path)
	}
	for i, c := range r.Cells {
		if c == nil {
			return nil, fmt.Errorf("%s: cells[%d] is null", path, i)
		}
		c.fill()
	}
	return &r, nil
}

// fill gives a decoded cell non-nil maps.
func (c *Cell) fill() {
	if c.Metrics == nil {
		c.Metrics = map[string]*Histogram{}
	}
	if c.Timelines == nil {
		c.Timelines = map[string]*Timeline{}
	}
	if c.Counters == nil {
		c.Counters = map[string]int64{}
	}
	if c.Errors == nil {
		c.Errors = map[string]int64{}
	}
	if c.Meters == nil {
		c.Meters = map[string]float64{}
	}
}

// Merge combines shards of one run: cells with the same scenario, target,
// trial and params merge exactly (histograms losslessly, counters add).
func Merge(runs ...*Run) (*Run, error) {
	if len(runs) == 0 {
		return nil, errors.New("merge: no runs")
	}
	out := &Run{ID: runs[0].ID, Suite: runs[0].Suite, SuiteYAML: runs[0].SuiteYAML,
		Started: runs[0].Started, Ended: runs[0].Ended, Host: runs[0].Host, Topology: runs[0].Topology}
	seenTarget := map[string]bool{}
	byKey := map[string]*Cell{}
	for _, r := range runs {
		if r.Suite != out.Suite {
			return nil, fmt.Errorf("merge: run %s is of suite %q, run %s of %q: only shards of one suite merge", r.ID, r.Suite, out.ID, out.Suite)
		}
		if r.Started.Before(out.Started) {
			out.Started = r.Started
		}
		if r.Ended.After(out.Ended) {
			out.Ended = r.Ended
		}
		out.Interrupted = out.Interrupted || r.Interrupted
		out.Notes = append(out.Notes, r.Notes...)
		for _, t := range r.Targets {
			if !seenTarget[t.Name] {
				seenTarget[t.Name] = true
				out.Targets = append(out.Targets, t)
			}
		}
		for _, c := range r.Cells {
			key := fmt.Sprintf("%s\x00%d", c.Key(), c.Trial)
			if mine, ok := byKey[key]; ok {
				mine.merge(c)
				continue
			}
			cp := NewCell(c.Scenario, c.Kind, c.Target, c.Trial, c.Params, c.Started)
			cp.Skipped = c.Skipped
			cp.merge(c)
			byKey[key] = cp
			out.Cells = append(out.Cells, cp)
		}
	}
	return out, nil
}
