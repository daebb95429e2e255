package reports

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// percentiles are the columns of every latency table.
var percentiles = []struct {
	Name     string
	Quantile float64
}{{"p50", 0.50}, {"p90", 0.90}, {"p99", 0.99}, {"p99.9", 0.999}}

// latencyTable has one row per series and metric, trials merged.
func latencyTable(sc *scenario) table {
	header := []string{"target", "params", "metric", "trials", "count", "errors"}
	for _, p := range percentiles {
		header = append(header, p.Name+" (ms)")
	}
	header = append(header, "max (ms)", "mean (ms)")
	t := table{Caption: "Latency distribution, all trials merged", Header: header, Numeric: numericFrom(len(header), 3)}
	for _, s := range sc.Series {
		m := s.merge()
		for _, metric := range m.metricNames(sc.Kind) {
			h := m.Metrics[metric]
			errs := cell{Text: fmtPercent(m.errorCount(), m.attempts(metric))}
			if m.errorCount() > 0 {
				errs.Level = warn
			}
			row := []cell{{Text: s.Label}, {Text: s.Condition}, {Text: metric}, {Text: itoa(int64(s.trials()))},
				{Text: itoa(h.Count())}, errs}
			for _, p := range percentiles {
				row = append(row, cell{Text: fmtMS(msOf(h.Quantile(p.Quantile)))})
			}
			row = append(row, cell{Text: fmtMS(msOf(h.Max()))}, cell{Text: fmtMS(msOf(h.Mean()))})
			t.Rows = append(t.Rows, row)
		}
	}
	return t
}

// countersTable has one row per series: its counters (billable meters
// apart) summed over trials and its errors by class. Correctness failures
// above zero are alarms.
func countersTable(sc *scenario) (table, bool) {
	names := map[string]bool{}
	for _, s := range sc.Series {
		for k := range s.merge().Counters {
			if !isMeter(k) {
				names[k] = true
			}
		}
	}
	cols := orderedCounters(sc.Kind, slices.Sorted(maps.Keys(names)))
	header := append([]string{"target", "params"}, cols...)
	header = append(header, "errors by class")
	t := table{Caption: "Counters, summed over trials", Header: header, Numeric: numericFrom(len(header)-1, 2)}
	has := false
	for _, s := range sc.Series {
		m := s.merge()
		row := []cell{{Text: s.Label}, {Text: s.Condition}}
		for _, k := range cols {
			v, ok := m.Counters[k]
			c := cell{Text: "–"}
			if ok {
				c.Text = itoa(v)
				has = true
			}
			switch {
			case v > 0 && IsFailureCounter(k):
				c.Level = alarm
			case v > 0 && warningCounters[k]:
				c.Level = warn
			}
			row = append(row, c)
		}
		classes := m.errorClasses()
		if classes != "" {
			has = true
		}
		row = append(row, cell{Text: classes})
		t.Rows = append(t.Rows, row)
	}
	for _, k := range cols {
		switch {
		case IsFailureCounter(k):
			t.Notes = appendOnce(t.Notes, "Highlighted counters are correctness failures: any value above zero means the target lost, duplicated, reordered or wrongly accepted something.")
		case k == "shortfall":
			t.Notes = appendOnce(t.Notes, "shortfall counts requests sent after their phase window: the load generator could not keep the rate, and the latency of those requests includes the generator's own delay.")
		}
	}
	return t, has
}

// metersTable lists the billable units targets metered themselves.
func metersTable(sc *scenario) (table, bool) {
	names := map[string]bool{}
	for _, s := range sc.Series {
		for k := range s.merge().Counters {
			if isMeter(k) {
				names[k] = true
			}
		}
	}
	if len(names) == 0 {
		return table{}, false
	}
	cols := slices.Sorted(maps.Keys(names))
	header := []string{"target", "params"}
	for _, k := range cols {
		header = append(header, strings.TrimPrefix(k, "meter."))
	}
	t := table{Caption: "Billable units metered by the targets, summed over trials", Header: header, Numeric: numericFrom(len(header), 2)}
	for _, s := range sc.Series {
		m := s.merge()
		row := []string{s.Label, s.Condition}
		for _, k := range cols {
			if v, ok := m.Counters[k]; ok {
				row = append(row, itoa(v))
			} else {
				row = append(row, "–")
			}
		}
		t.add(row...)
	}
	return t, true
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// fmtDuration prints a wall-clock duration to the second.
func fmtDuration(d time.Duration) string {
	if d <= 0 {
		return "n/a"
	}
	return d.Round(time.Second).String()
}
