package scenarios

import (
	"strings"
	"testing"

	"versus/targets"
)

// Fake built-in kinds, so the parser's tests need no real target: "fake",
// and stand-ins for the names the built-in suites use.
func init() {
	for _, name := range []string{"fake", "null", "edge", "integrated", "cloudflare"} {
		targets.Register(targets.Kind{Name: name, Builtin: true, Summary: "test target",
			New: func(cfg targets.Config) (targets.Target, error) { return nil, nil }})
	}
}

func TestSuiteErrorsNameFileLineColumnAndField(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"malformed YAML", "name: x\ntargets: [fake\n", "s.yaml:"},
		{"an unknown scenario field", "name: x\ntargets: [fake]\nscenarios:\n  - {name: h, kind: http, path: /health, rate: 1, colour: red}\n",
			"s.yaml:4:51: scenarios[0] (h).colour: unknown field"},
		{"an unknown kind", "name: x\ntargets: [fake]\nscenarios:\n  - {name: h, kind: htttp}\n",
			`s.yaml:4:21: scenarios[0] (h).kind: unknown scenario kind "htttp"`},
		{"a zero rate", "name: x\ntargets: [fake]\nscenarios:\n  - name: h\n    kind: http\n    path: /health\n    rate: 0\n",
			"s.yaml:7:11: scenarios[0] (h).rate: 0: must be above 0"},
		{"a negative rate", "name: x\ntargets: [fake]\nscenarios:\n  - {name: h, kind: http, path: /health, rate: -5}\n",
			"scenarios[0] (h).rate: -5: must be above 0"},
		{"an unknown target", "name: x\ntargets: [fake, nosuch]\nscenarios:\n  - {name: h, kind: http, path: /health, rate: 1}\n",
			`s.yaml:2:17: targets[1] (nosuch): unknown target kind "nosuch"`},
		{"a missing name", "targets: [fake]\nscenarios:\n  - {name: h, kind: http, path: /health, rate: 1}\n",
			"s.yaml: name: missing"},
		{"fractions above one", "name: x\ntargets: [fake]\nscenarios:\n  - {name: w, kind: webhook, rate: 1, invalid_signature: 1.5}\n",
			"scenarios[0] (w).invalid_signature: 1.5: a fraction must be within [0, 1]"},
		{"fractions summing above one", "name: x\ntargets: [fake]\nscenarios:\n  - {name: w, kind: webhook, rate: 1, invalid_signature: 0.6, replay: 0.6}\n",
			"scenarios[0] (w).replay: the fractions sum to 1.2"},
		{"a negative delay", "name: x\ntargets: [fake]\nscenarios:\n  - {name: j, kind: schedule, delays: [1s, -1s]}\n",
			"scenarios[0] (j).delays[1]: -1s: must be between 0 and 24h"},
		{"N above the connection limit", "name: x\ntargets: [fake]\nmax_subscribers: 50\nscenarios:\n  - {name: f, kind: fanout, subscribers: [10, 100]}\n",
			"scenarios[0] (f).subscribers: 100 subscribers is above the suite's max_subscribers (50)"},
		{"a scenario naming a target not in the suite", "name: x\ntargets: [fake]\nscenarios:\n  - {name: h, kind: http, path: /health, rate: 1, targets: [other]}\n",
			`scenarios[0] (h).targets[0]: "other" is not one of the suite's targets`},
		{"a topology link that does not exist", "name: x\ntargets: [fake]\ntopology: {client_moon: 10ms}\nscenarios:\n  - {name: h, kind: http, path: /health, rate: 1}\n",
			"topology.client_moon: unknown link"},
		{"an absurd delay", "name: x\ntargets: [fake]\ntopology: {edge_state: 11s}\nscenarios:\n  - {name: h, kind: http, path: /health, rate: 1}\n",
			"topology.edge_state.rtt: 11s: must be between 0 and 10s"},
		{"a negative delay on a link", "name: x\ntargets: [fake]\ntopology: {client_edge: {rtt: -10ms}}\nscenarios:\n  - {name: h, kind: http, path: /health, rate: 1}\n",
			"topology.client_edge.rtt: -10ms: must be between 0 and 10s"},
		{"an unknown topology", "name: x\ntargets: [fake]\ntopology: moon\nscenarios:\n  - {name: h, kind: http, path: /health, rate: 1}\n",
			`s.yaml:3:11: topology: unknown topology "moon"`},
	}
	for _, c := range cases {
		t.Run("rejects "+c.name, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(c.yaml))
			if err == nil {
				t.Fatal("parsed without error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q\nwant it to contain %q", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestEveryBuiltinSuiteParses(t *testing.T) {
	for _, name := range Builtin() {
		t.Run(name, func(t *testing.T) {
			s, err := LoadBuiltin(name)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Scenarios) == 0 || s.Name != name {
				t.Errorf("suite %q has %d scenarios", s.Name, len(s.Scenarios))
			}
		})
	}
}

func TestTopologyProfilesAndOverrides(t *testing.T) {
	s, err := Parse("s.yaml", []byte("name: x\ntargets: [fake]\ntopology: {profile: edge-near-user, edge_state: {rtt: 40ms, jitter: 2ms}}\nscenarios:\n  - {name: h, kind: http, path: /health, rate: 1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	l := s.Topology.Links
	if l[LinkClientEdge].RTT.Milliseconds() != 10 || l[LinkClientRegion].RTT.Milliseconds() != 80 || l[LinkEdgeState].RTT.Milliseconds() != 40 || l[LinkEdgeState].Jitter.Milliseconds() != 2 {
		t.Errorf("links %+v", l)
	}
}

func TestTheWebhookMixIsSeededAndMatchesItsFractions(t *testing.T) {
	s := &WebhookScenario{InvalidSignature: 0.05, StaleTimestamp: 0.02, Replay: 0.05, Seed: 7}
	a, b := &webhookRun{s: s}, &webhookRun{s: s}
	counts := map[string]int{}
	for n := uint64(0); n < 20000; n++ {
		k := a.kindOf(n)
		if k != b.kindOf(n) {
			t.Fatalf("delivery %d: %s then %s with the same seed", n, k, b.kindOf(n))
		}
		counts[k]++
	}
	for kind, want := range map[string]float64{dForged: 0.05, dStale: 0.02, dReplay: 0.05, dMalformed: 0} {
		got := float64(counts[kind]) / 20000
		if got < want*0.8 || got > want*1.2+0.001 {
			t.Errorf("%s: %.4f of deliveries, want about %.2f", kind, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("name: x\ntargets: [fake]\nscenarios:\n  - {name: h, kind: http, path: /health, rate: 1}\n"))
	f.Add([]byte("name: x\ntargets: [{name: m, kind: fake, url: http://127.0.0.1:1}]\ntopology: edge-near-user\nscenarios:\n  - {name: f, kind: fanout, subscribers: [1, 10]}\n  - {name: j, kind: schedule, delays: [0ms, 1s]}\n"))
	f.Add([]byte("name: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data)
		if err == nil && (s.Name == "" || len(s.Targets) == 0 || len(s.Scenarios) == 0) {
			t.Fatalf("accepted a suite without name, targets or scenarios: %q", data)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error: %q", err)
		}
	})
}
