package reports

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"versus/results"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, standardRun(t, 5), Options{}); err != nil {
		t.Fatal(err)
	}
	page := readFile(t, filepath.Join(dir, HTMLFile))
	md := readFile(t, filepath.Join(dir, MarkdownFile))

	t.Run("the HTML page is one self-contained file", func(t *testing.T) {
		for _, banned := range []string{"<script", "src=", "<link", "@import", "url(", "href=\"http"} {
			if strings.Contains(page, banned) {
				t.Errorf("report.html contains %q", banned)
			}
		}
		if n := strings.Count(page, "<svg"); n != 10 {
			t.Errorf("report.html has %d inline plots, want 10", n)
		}
	})
	t.Run("every plot the Markdown links exists beside it", func(t *testing.T) {
		links := regexp.MustCompile(`\]\((plots/[^)]+\.svg)\)`).FindAllStringSubmatch(md, -1)
		if len(links) != 10 {
			t.Fatalf("report.md links %d plots, want 10", len(links))
		}
		for _, l := range links {
			if _, err := os.Stat(filepath.Join(dir, l[1])); err != nil {
				t.Errorf("linked plot missing: %v", err)
			}
		}
	})
	t.Run("every axis is labelled with its unit", func(t *testing.T) {
		for _, want := range []string{"percentile", "latency (ms)", "time since the phase started (s)", "subscribers (N)",
			"share of jobs fired (cumulative)", "lateness_observed (ms, log scale)", "99.9%"} {
			if !strings.Contains(page, want) {
				t.Errorf("no plot text %q", want)
			}
		}
	})
	t.Run("sections and claims are present", func(t *testing.T) {
		for _, want := range []string{"The article&#39;s claims, measured", "Harness floor", "Scenario jobs (schedule)",
			"not measured", "confirmed", "Comparisons: per-trial values"} {
			if !strings.Contains(page, want) {
				t.Errorf("report.html lacks %q", want)
			}
		}
	})
	t.Run("rendering again removes plots it no longer draws", func(t *testing.T) {
		stale := filepath.Join(dir, PlotDir, "99-gone-spectrum.svg")
		other := filepath.Join(dir, PlotDir, "notes.svg")
		for _, p := range []string{stale, other} {
			if err := os.WriteFile(p, []byte("<svg/>"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := Write(dir, standardRun(t, 5), Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(stale); !os.IsNotExist(err) {
			t.Error("a stale report plot survived a new rendering")
		}
		if _, err := os.Stat(other); err != nil {
			t.Error("a file the report did not write was removed")
		}
	})
}

func TestWriteEscapesUntrustedText(t *testing.T) {
	const evil = "<script>alert(1)</script>"
	f := newFixture(5, results.TargetInfo{Name: evil, Kind: "contract", Model: "edge", Version: `"><img src=x onerror=alert(2)>`, Capabilities: []string{"http"}},
		integratedTarget)
	for trial := 1; trial <= 2; trial++ {
		for _, target := range []string{evil, "integrated"} {
			c := f.cell("<b>scan</b> | ** [x](javascript:alert(3))", kindHTTP, target, trial, map[string]string{"path": "</td><script>"}, 50,
				map[string]func() time.Duration{"latency": f.lognormal(time.Millisecond, 0.2)}, map[string]int64{"sent": 50})
			c.Error("<svg onload=alert(4)>")
			c.Failed = "<iframe src=x>"
		}
	}
	f.run.Notes = []string{"<style>body{display:none}</style>"}
	f.run.SuiteYAML = "name: </pre><script>alert(5)</script>"
	dir := t.TempDir()
	if err := Write(dir, f.run, Options{}); err != nil {
		t.Fatal(err)
	}
	page := readFile(t, filepath.Join(dir, HTMLFile))
	for _, bad := range []string{"<script", "<img", "<iframe", "<b>scan", "<svg onload", "<style>body"} {
		if strings.Contains(page, bad) {
			t.Errorf("report.html contains raw %q", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the target's name is not rendered as text")
	}
	// Code blocks show their text literally, so only the rest of the
	// Markdown could carry markup.
	md := regexp.MustCompile("(?s)```.*?```").ReplaceAllString(readFile(t, filepath.Join(dir, MarkdownFile)), "")
	for _, bad := range []string{"<script", "<img", "<iframe", "<b>"} {
		if i := strings.Index(md, bad); i >= 0 {
			t.Errorf("report.md contains raw %q: %q", bad, md[max(0, i-80):min(len(md), i+40)])
		}
	}
	if regexp.MustCompile(`[^\\]\]\(javascript:`).MatchString(md) {
		t.Error("report.md contains a live javascript: link")
	}
}

func TestWritePartialRun(t *testing.T) {
	r := standardRun(t, 4)
	// The run was interrupted in trial 4: drop the last trial's cells of
	// every scenario but health, and all of jobs for edge.
	var kept []*results.Cell
	for _, c := range r.Cells {
		if (c.Trial == 4 && c.Scenario != "health") || (c.Scenario == "jobs" && c.Target == "edge") {
			continue
		}
		kept = append(kept, c)
	}
	r.Cells, r.Interrupted = kept, true
	r.Cells[0].Failed = "target stopped answering"
	dir := t.TempDir()
	if err := Write(dir, r, Options{}); err != nil {
		t.Fatal(err)
	}
	md := readFile(t, filepath.Join(dir, MarkdownFile))
	for _, want := range []string{"yes: the run stopped early", "Missing: jobs never ran against target edge (the run was interrupted)",
		"Missing trials: stripe / edge has 3 of 4 trials", "Failed: health / null trial 1 ended early"} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
}

func TestWriteEmptyRun(t *testing.T) {
	r := &results.Run{ID: "empty", Suite: "s", Interrupted: true}
	if err := Write(t.TempDir(), r, Options{}); err != nil {
		t.Fatalf("a run without cells does not render: %v", err)
	}
}

// A fan-out swept over N = 1 alone puts one value on each log axis; the
// report must draw it, not panic.
func TestAFanoutOfOneSubscriberRenders(t *testing.T) {
	r := &results.Run{ID: "one", Suite: "s", Targets: []results.TargetInfo{{Name: "edge", Kind: "edge", Model: "edge"}}}
	for trial := 1; trial <= 2; trial++ {
		c := results.NewCell("broadcast", "fanout", "edge", trial, map[string]string{"subscribers": "1"}, time.Now())
		for i := 0; i < 5; i++ {
			c.Observe("delivery", time.Now(), 2*time.Millisecond)
			c.Observe("last_delivery", time.Now(), 2*time.Millisecond)
		}
		r.Cells = append(r.Cells, c)
	}
	if err := Write(t.TempDir(), r, Options{}); err != nil {
		t.Fatal(err)
	}
}
