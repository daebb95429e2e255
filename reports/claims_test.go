package reports

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"versus/results"
)

// duel is a run of one scenario against edge and integrated targets whose
// metric has the given medians.
func duel(trials int, name, kind, metric string, edge, integrated time.Duration, params map[string]string) *results.Run {
	f := newFixture(3, edgeTarget, integratedTarget)
	for trial := 1; trial <= trials; trial++ {
		for _, tg := range []struct {
			name   string
			median time.Duration
		}{{"edge", edge}, {"integrated", integrated}} {
			f.cell(name, kind, tg.name, trial, params, 200, map[string]func() time.Duration{metric: f.lognormal(tg.median, 0.2)}, nil)
		}
	}
	return f.run
}

func claimByID(t *testing.T, claims []Claim, id string) Claim {
	t.Helper()
	for _, c := range claims {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no claim %q", id)
	return Claim{}
}

func TestClaims(t *testing.T) {
	ms := time.Millisecond
	nearEdge := json.RawMessage(`{"links": {"client_edge": {"rtt_ms": 5}, "client_region": {"rtt_ms": 40}}}`)
	tests := []struct {
		name     string
		run      *results.Run
		topology json.RawMessage
		id       string
		want     Verdict
	}{
		{"a faster integrated webhook confirms claim a", duel(5, "stripe", kindWebhook, "latency", 3*ms, 1*ms, nil), nil, "a", Confirmed},
		{"a slower integrated webhook refutes claim a", duel(5, "stripe", kindWebhook, "latency", 1*ms, 3*ms, nil), nil, "a", Refuted},
		{"equal webhooks leave claim a not significant", duel(5, "stripe", kindWebhook, "latency", 2*ms, 2*ms, nil), nil, "a", NotSignificant},
		{"three trials cannot confirm claim a", duel(3, "stripe", kindWebhook, "latency", 3*ms, 1*ms, nil), nil, "a", NotSignificant},
		{"a run without webhooks does not measure claim a", duel(5, "health", kindHTTP, "latency", 3*ms, 1*ms, nil), nil, "a", NotMeasured},
		{"a faster relay confirms claim c", duel(5, "chat", kindSubscribe, "propagation", 2*ms, 6*ms, nil), nil, "c", Confirmed},
		{"a slower relay at fan-out refutes claim c", duel(5, "broadcast", kindFanout, "last_delivery", 9*ms, 3*ms, map[string]string{"subscribers": "100"}), nil, "c", Refuted},
		{"claim d is not measured without a topology", duel(5, "health", kindHTTP, "latency", 1*ms, 3*ms, nil), nil, "d", NotMeasured},
		{"claim d is not measured when the edge is not nearer",
			duel(5, "health", kindHTTP, "latency", 1*ms, 3*ms, nil), json.RawMessage(`{"links": {"client_edge": {"rtt_ms": 40}, "client_region": {"rtt_ms": 40}}}`), "d", NotMeasured},
		{"a faster edge under a near-edge topology confirms claim d", duel(5, "health", kindHTTP, "latency", 1*ms, 3*ms, nil), nearEdge, "d", Confirmed},
		{"a slower edge under a near-edge topology refutes claim d", duel(5, "health", kindHTTP, "latency", 3*ms, 1*ms, nil), nearEdge, "d", Refuted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run.Topology = tt.topology
			c := claimByID(t, Claims(tt.run), tt.id)
			if c.Verdict != tt.want {
				t.Fatalf("verdict %q, want %q; evidence %q", c.Verdict, tt.want, c.Evidence)
			}
			if len(c.Evidence) == 0 || c.Quote == "" {
				t.Fatalf("claim without evidence or quote: %+v", c)
			}
		})
	}
}

func TestScheduleClaim(t *testing.T) {
	t.Run("runAfter faster than every edge mechanism confirms claim b", func(t *testing.T) {
		c := claimByID(t, Claims(standardRun(t, 5)), "b")
		if c.Verdict != Confirmed || len(c.Evidence) != 6 {
			t.Fatalf("verdict %q with %d comparisons, want confirmed over 6 (3 mechanisms x 2 delays): %q", c.Verdict, len(c.Evidence), c.Evidence)
		}
	})
	t.Run("an alarm as fast as runAfter leaves claim b not significant", func(t *testing.T) {
		f := newFixture(9, edgeTarget, integratedTarget)
		for trial := 1; trial <= 5; trial++ {
			for _, s := range []struct{ target, via string }{{"integrated", "runafter"}, {"edge", "alarm"}} {
				f.cell("jobs", kindSchedule, s.target, trial, map[string]string{"via": s.via, "delay": "1s"}, 100,
					map[string]func() time.Duration{"lateness_observed": f.lognormal(2*time.Millisecond, 0.3)}, nil)
			}
		}
		if c := claimByID(t, Claims(f.run), "b"); c.Verdict != NotSignificant {
			t.Fatalf("verdict %q, want not significant: %q", c.Verdict, c.Evidence)
		}
	})
	t.Run("runAfter missing jobs is reported as evidence", func(t *testing.T) {
		r := standardRun(t, 5)
		for _, c := range r.Cells {
			if c.Params["via"] == "runafter" {
				c.Add("missed", 1)
			}
		}
		c := claimByID(t, Claims(r), "b")
		if !strings.Contains(strings.Join(c.Evidence, "\n"), "runAfter correctness failure") {
			t.Fatalf("missed runAfter jobs not in the evidence: %q", c.Evidence)
		}
	})
}

func TestClaimCaveats(t *testing.T) {
	c := claimByID(t, Claims(standardRun(t, 5)), "a")
	all := strings.Join(c.Caveats, "\n")
	if !strings.Contains(all, "reference models") || !strings.Contains(all, "loopback") {
		t.Fatalf("caveats lack the embedded-model and loopback warnings: %q", c.Caveats)
	}
}

func TestVerdictsWeighEveryComparison(t *testing.T) {
	cases := []struct {
		confirmed, refuted, contests int
		want                         Verdict
	}{
		{3, 0, 3, Confirmed},
		{2, 0, 3, PartlyConfirmed},
		{0, 1, 3, Refuted},
		{1, 1, 3, Mixed},
		{0, 0, 3, NotSignificant},
	}
	for _, c := range cases {
		if got := verdictOf(c.confirmed, c.refuted, c.contests); got != c.want {
			t.Errorf("%d for, %d against of %d: %q, want %q", c.confirmed, c.refuted, c.contests, got, c.want)
		}
	}
}
