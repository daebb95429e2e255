package results

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHistogramsMergeExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	a, b, all := NewHistogram(), NewHistogram(), NewHistogram()
	for i := 0; i < 10000; i++ {
		d := time.Duration(rng.ExpFloat64() * float64(3*time.Millisecond))
		if i%2 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
		all.Record(d)
	}
	a.Merge(b)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
		if a.Quantile(q) != all.Quantile(q) {
			t.Errorf("q%v: merged %v, recorded together %v", q, a.Quantile(q), all.Quantile(q))
		}
	}
	if a.Count() != 10000 {
		t.Errorf("count %d", a.Count())
	}
}

func TestHistogramClampsInsteadOfDropping(t *testing.T) {
	h := NewHistogram()
	h.Record(0)
	h.Record(2 * time.Hour)
	if h.Count() != 2 {
		t.Fatalf("count %d, want 2: out-of-range values must clamp, not vanish", h.Count())
	}
	if h.Max() < 59*time.Minute {
		t.Errorf("max %v, want about 1h", h.Max())
	}
}

func TestHistogramJSONRoundTrip(t *testing.T) {
	h := NewHistogram()
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Microsecond * 37)
	}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var back Histogram
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Count() != 1000 || back.Quantile(0.99) != h.Quantile(0.99) {
		t.Errorf("round trip: count %d p99 %v, want 1000 %v", back.Count(), back.Quantile(0.99), h.Quantile(0.99))
	}
}

// A timeline keeps seconds apart, seals old ones, and still takes a late
// observation for a sealed second.
func TestTimelineSealsOldSecondsAndReopensThem(t *testing.T) {
	start := time.Unix(1000, 0)
	tl := NewTimeline(start, 0)
	for sec := 0; sec < 20; sec++ {
		for i := 0; i < 10; i++ {
			tl.Record(start.Add(time.Duration(sec)*time.Second), time.Duration(sec+1)*time.Millisecond)
		}
	}
	if len(tl.live) > sealAfter+1 {
		t.Errorf("%d live seconds, want at most %d", len(tl.live), sealAfter+1)
	}
	tl.Record(start.Add(2*time.Second), time.Second) // late, for a sealed second
	pts := tl.Points()
	if len(pts) != 20 {
		t.Fatalf("%d points, want 20", len(pts))
	}
	if pts[2].Count != 11 || pts[2].Max < 990*time.Millisecond {
		t.Errorf("second 2: %+v, want 11 observations with max about 1s", pts[2])
	}
	if pts[7].P50 < 7*time.Millisecond || pts[7].P50 > 9*time.Millisecond {
		t.Errorf("second 7 p50 %v, want about 8ms", pts[7].P50)
	}
	b, _ := json.Marshal(tl)
	var back Timeline
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got := back.Points(); len(got) != 20 || got[2].Count != 11 {
		t.Errorf("round trip lost seconds: %d points", len(got))
	}
}

func sampleRun(trials int) *Run {
	r := &Run{ID: "r1", Suite: "s", Started: time.Unix(0, 0)}
	for trial := 1; trial <= trials; trial++ {
		c := NewCell("health", "http", "edge", trial, nil, time.Now())
		for i := 0; i < 100; i++ {
			c.Observe("latency", time.Now(), time.Duration(i+1)*time.Millisecond)
		}
		c.Add("sent", 100)
		c.Error("timeout")
		r.Cells = append(r.Cells, c)
	}
	return r
}

func TestSummaryMergesTrialsPerScenarioTargetAndMetric(t *testing.T) {
	s := Summarize(sampleRun(3))
	if len(s.Rows) != 1 {
		t.Fatalf("%d rows, want 1", len(s.Rows))
	}
	row := s.Rows[0]
	if row.Count != 300 || row.Errors != 3 || row.Trials != 3 || row.Unit != "ms" {
		t.Errorf("row %+v", row)
	}
	if row.P50 < 49 || row.P50 > 51 {
		t.Errorf("p50 %v ms, want 50", row.P50)
	}
	found := false
	for _, c := range s.Counters {
		if c.Name == "sent" && c.Value == 300 {
			found = true
		}
	}
	if !found {
		t.Errorf("counters %+v lack sent=300", s.Counters)
	}
}

func TestSaveIsAtomicAndLoadReadsItBack(t *testing.T) {
	dir := t.TempDir()
	r := sampleRun(2)
	if err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Cells) != 2 || back.Cells[1].Histogram("latency").Count() != 100 {
		t.Errorf("loaded %d cells", len(back.Cells))
	}
	var s Summary
	b, _ := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err := json.Unmarshal(b, &s); err != nil || s.RunID != "r1" {
		t.Errorf("summary.json: %v %+v", err, s.RunID)
	}
}

func TestLoadNamesTheFileAndTheFault(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "no such run directory") {
		t.Errorf("missing dir: %v", err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "run.json: missing") {
		t.Errorf("missing file: %v", err)
	}
	os.WriteFile(filepath.Join(dir, RunFile), []byte(`{"run_id": "x", "cells": [`), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "run.json") {
		t.Errorf("corrupted file: %v", err)
	}
}

func TestMergeOfShardsIsExact(t *testing.T) {
	a, b := sampleRun(1), sampleRun(1)
	b.Cells[0].Trial = 2
	m, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(m)
	if s.Rows[0].Count != 200 || s.Rows[0].Trials != 2 {
		t.Errorf("merged row %+v", s.Rows[0])
	}
	other := sampleRun(1)
	other.Suite = "other"
	if _, err := Merge(a, other); err == nil {
		t.Error("merged runs of different suites")
	}
}

func TestCellsTakeConcurrentRecordsAndSaves(t *testing.T) {
	r := &Run{ID: "c", Suite: "s"}
	c := NewCell("x", "http", "t", 1, nil, time.Now())
	r.Cells = append(r.Cells, c)
	dir := t.TempDir()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				c.Observe("latency", time.Now(), time.Millisecond)
				c.Add("sent", 1)
			}
		}()
	}
	for i := 0; i < 5; i++ {
		if err := r.Save(dir); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if c.Counter("sent") != 2000 || c.Histogram("latency").Count() != 2000 {
		t.Errorf("sent %d, latency count %d", c.Counter("sent"), c.Histogram("latency").Count())
	}
}

func TestAFinerTimelineKeepsItsStepThroughMergeAndJSON(t *testing.T) {
	start := time.Unix(1000, 0)
	a := NewTimeline(start, 100*time.Millisecond)
	for i := 0; i < 10; i++ {
		a.Record(start.Add(time.Duration(i)*100*time.Millisecond), time.Duration(i+1)*time.Millisecond)
	}
	if pts := a.Points(); len(pts) != 10 || pts[3].At != 300*time.Millisecond {
		t.Fatalf("points %+v", pts)
	}
	b, _ := json.Marshal(a)
	var back Timeline
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Step != 100*time.Millisecond || len(back.Points()) != 10 {
		t.Errorf("round trip: step %v, %d points", back.Step, len(back.Points()))
	}
	coarse := NewTimeline(start, time.Second)
	coarse.Merge(a)
	if pts := coarse.Points(); len(pts) != 1 || pts[0].Count != 10 {
		t.Errorf("merged into seconds: %+v", pts)
	}
}
