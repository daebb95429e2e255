package main

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// captureStderr runs f with os.Stderr redirected and returns what it wrote.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	f()
	os.Stderr = old
	w.Close()
	b, _ := io.ReadAll(r)
	return string(b)
}

func writeSuite(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "suite.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBadInputExitsTwoWithOneLineBeforeAnyLoad(t *testing.T) {
	cases := []struct {
		name string
		args func(t *testing.T) []string
		want string
	}{
		{"malformed YAML", func(t *testing.T) []string {
			return []string{"run", writeSuite(t, "name: x\ntargets: [edge\n")}
		}, "suite.yaml:"},
		{"an unknown field", func(t *testing.T) []string {
			return []string{"run", writeSuite(t, "name: x\ntargets: [edge]\nscenarios:\n  - {name: h, kind: http, path: /health, rate: 1, colour: red}\n")}
		}, "suite.yaml:4:51: scenarios[0] (h).colour: unknown field"},
		{"an unknown scenario kind", func(t *testing.T) []string {
			return []string{"run", writeSuite(t, "name: x\ntargets: [edge]\nscenarios:\n  - {name: h, kind: nope}\n")}
		}, `scenarios[0] (h).kind: unknown scenario kind "nope"`},
		{"a zero rate", func(t *testing.T) []string {
			return []string{"run", writeSuite(t, "name: x\ntargets: [edge]\nscenarios:\n  - {name: h, kind: http, path: /health, rate: 0}\n")}
		}, "scenarios[0] (h).rate: 0: must be above 0"},
		{"an unknown target in a suite", func(t *testing.T) []string {
			return []string{"run", writeSuite(t, "name: x\ntargets: [edgy]\nscenarios:\n  - {name: h, kind: http, path: /health, rate: 1}\n")}
		}, `targets[0] (edgy): unknown target kind "edgy"`},
		{"an unknown --target", func(t *testing.T) []string { return []string{"run", "--target", "edgy"} }, `--target edgy: unknown target kind "edgy"`},
		{"an unreachable URL", func(t *testing.T) []string {
			return []string{"run", "--target", "http://127.0.0.1:1", "--out", t.TempDir()}
		}, "127.0.0.1:1"},
		{"an unknown flag", func(t *testing.T) []string { return []string{"run", "--colour"} }, "unknown flag: --colour"},
		{"a missing suite file", func(t *testing.T) []string { return []string{"run", "/nonexistent/suite.yaml"} }, "/nonexistent/suite.yaml"},
		{"an unknown topology", func(t *testing.T) []string { return []string{"run", "--topology", "moon"} }, `--topology: unknown topology "moon"`},
		{"a bad shard", func(t *testing.T) []string { return []string{"run", "--shard", "3/2"} }, `--shard "3/2"`},
		{"verify of a target the suite lacks", func(t *testing.T) []string {
			return []string{"verify", "--suite", writeSuite(t, "name: x\ntargets: [edge]\nscenarios:\n  - {name: h, kind: http, path: /health, rate: 1}\n"), "--target", "prod"}
		}, "--target prod: "},
		{"verify with neither target nor URL", func(t *testing.T) []string { return []string{"verify"} }, "give exactly one of --target NAME or --url URL"},
	}
	for _, c := range cases {
		t.Run("rejects "+c.name, func(t *testing.T) {
			var code int
			out := captureStderr(t, func() { code = execute(c.args(t)) })
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr: %s", code, exitUsage, out)
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("stderr %q\nwant it to contain %q", out, c.want)
			}
			if lines := strings.Count(strings.TrimSpace(out), "\n"); lines > 1 {
				t.Errorf("want one clear line, got %d lines: %s", lines+1, out)
			}
		})
	}
}

// SIGINT mid-run: exit 130, summary.json written with interrupted: true,
// every finished cell kept.
func TestInterruptKeepsFinishedCells(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a suite")
	}
	bin := filepath.Join(t.TempDir(), "versus")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	suite := writeSuite(t, "name: long\ntrials: 50\ntargets: [null]\nscenarios:\n  - {name: h, kind: http, path: /health, rate: 100, duration: 300ms, warmup: 0s}\n")
	dir := filepath.Join(t.TempDir(), "run")
	cmd := exec.Command(bin, "run", suite, "--out", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Fatalf("exit %d (%v), want 130", code, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Interrupted bool `json:"interrupted"`
		Rows        []struct {
			Count  int64 `json:"count"`
			Trials int   `json:"trials"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if !s.Interrupted || len(s.Rows) == 0 || s.Rows[0].Trials < 2 || s.Rows[0].Trials >= 50 {
		t.Errorf("summary %+v: want interrupted with the finished trials kept", s)
	}
	t.Logf("interrupted after %d trials, %d requests kept", s.Rows[0].Trials, s.Rows[0].Count)
}
