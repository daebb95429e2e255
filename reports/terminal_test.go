package reports

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"versus/results"
)

func TestTerminal(t *testing.T) {
	t.Run("a clean run prints every series and says there are no failures", func(t *testing.T) {
		var buf bytes.Buffer
		if err := Terminal(&buf, standardRun(t, 3)); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, want := range []string{"health", "stripe", "integrated via=runafter", "delay=1s", "subscribers=100",
			"No correctness failures.", "Harness floor (target null", "(a) HTTP handlers and webhooks: NOT SIGNIFICANT",
			"This run has 3 trial(s) per target"} {
			if !strings.Contains(out, want) {
				t.Errorf("terminal output lacks %q", want)
			}
		}
	})
	t.Run("correctness failures are flagged in the table and listed", func(t *testing.T) {
		r := standardRun(t, 2)
		for _, c := range r.Cells {
			if c.Scenario == "stripe" && c.Target == "edge" && c.Trial == 2 {
				c.Add("lost", 3)
			}
		}
		var buf bytes.Buffer
		if err := Terminal(&buf, r); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if !strings.Contains(out, "✗lost=3") || !strings.Contains(out, "CORRECTNESS FAILURES (1)") ||
			!strings.Contains(out, "✗ stripe / edge: lost = 3") {
			t.Errorf("failure not flagged:\n%s", out)
		}
	})
	t.Run("control characters in names cannot reach the terminal", func(t *testing.T) {
		f := newFixture(1, results.TargetInfo{Name: "evil\x1b[31m", Model: "other"})
		f.cell("scan\r\nner", kindHTTP, "evil\x1b[31m", 1, nil, 10, map[string]func() time.Duration{"latency": f.lognormal(time.Millisecond, 0.1)}, nil)
		var buf bytes.Buffer
		if err := Terminal(&buf, f.run); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(buf.String(), "\x1b\r") {
			t.Errorf("escape or carriage return in output: %q", buf.String())
		}
	})
	t.Run("a series whose every request failed shows its errors", func(t *testing.T) {
		f := newFixture(2, edgeTarget)
		c := f.cell("health", kindHTTP, "edge", 1, nil, 0, nil, map[string]int64{"sent": 4})
		for range 4 {
			c.Error("connection")
		}
		var buf bytes.Buffer
		if err := Terminal(&buf, f.run); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "100%") || !strings.Contains(buf.String(), "errors: connection=4") {
			t.Errorf("failed series not shown:\n%s", buf.String())
		}
		if err := Write(t.TempDir(), f.run, Options{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a topology is printed", func(t *testing.T) {
		r := standardRun(t, 1)
		r.Topology = []byte(`{"links": {"client_edge": {"rtt_ms": 5}, "client_region": {"rtt_ms": 40}}}`)
		var buf bytes.Buffer
		if err := Terminal(&buf, r); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "Topology: client_edge 5ms, client_region 40ms") {
			t.Errorf("topology missing:\n%s", buf.String())
		}
	})
	t.Run("an interrupted run says so", func(t *testing.T) {
		r := standardRun(t, 1)
		r.Interrupted = true
		var buf bytes.Buffer
		if err := Terminal(&buf, r); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "INTERRUPTED") {
			t.Error("interrupted run not flagged")
		}
	})
}

func TestCorrectnessFailures(t *testing.T) {
	r := standardRun(t, 2)
	if got := CorrectnessFailures(r); len(got) != 0 {
		t.Fatalf("clean run has failures: %v", got)
	}
	for _, c := range r.Cells {
		switch {
		case c.Scenario == "jobs" && c.Target == "edge" && c.Params["via"] == "cron" && c.Params["delay"] == "1s":
			c.Add("missed", 2)
		case c.Scenario == "chat" && c.Target == "integrated":
			c.Add("out_of_order", 1)
			c.Add("shortfall", 5) // a warning, not a correctness failure
		}
	}
	got := CorrectnessFailures(r)
	want := []string{
		"chat / integrated: out_of_order = 2 (over 2 trial(s))",
		"jobs / edge [delay=1s,via=cron]: missed = 4 (over 2 trial(s))",
	}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("missing %q in %q", w, got)
		}
	}
}

func TestFmtPercent(t *testing.T) {
	tests := []struct {
		num, den int64
		want     string
	}{{0, 10, "0%"}, {4, 4, "100%"}, {1, 3, "33%"}, {1, 40, "2.5%"}, {1, 400, "0.25%"}, {1, 1000000, "<0.01%"}, {1, 0, "n/a"}}
	for _, tt := range tests {
		if got := fmtPercent(tt.num, tt.den); got != tt.want {
			t.Errorf("fmtPercent(%d, %d) = %q, want %q", tt.num, tt.den, got, tt.want)
		}
	}
}
