package costmodel

import (
	"strings"
	"testing"
)

func TestBuiltinMappings(t *testing.T) {
	for _, platform := range []string{"workers", "convex"} {
		t.Run(platform+" prices every operation and resource", func(t *testing.T) {
			m, err := MappingFor(platform)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range m.Switches {
				r, err := m.resolve(Options{Switches: map[string]string{s.Name: s.Default}})
				if err != nil {
					t.Fatal(err)
				}
				for _, op := range Operations {
					if _, ok := r.operations[op]; !ok {
						t.Errorf("%s: no units for %s", s.Name, op)
					}
				}
			}
		})
	}
	t.Run("a DO incoming WebSocket message is published over the socket only when asked", func(t *testing.T) {
		m, _ := MappingFor("workers")
		r, err := m.resolve(Options{Switches: map[string]string{SwitchWorkersPublishVia: "websocket"}})
		if err != nil {
			t.Fatal(err)
		}
		units := r.unitsPerOperation(OpMessagePublished)
		if units[0].Unit != "do_ws_messages_in" || units[0].Qty.RatString() != "1" {
			t.Errorf("units %+v", units)
		}
	})
}

func TestParseMappingErrors(t *testing.T) {
	full := func(extra string) string {
		var b strings.Builder
		b.WriteString("platform: test\noperations:\n")
		for _, op := range Operations {
			b.WriteString("  " + op + ": {units: {worker_requests: 1}}\n")
		}
		b.WriteString("resources:\n")
		for _, r := range Resources {
			b.WriteString("  " + r + ": {units: {}}\n")
		}
		return b.String() + extra
	}
	if _, err := parseMapping("m.yaml", []byte(full(""))); err != nil {
		t.Fatalf("a complete mapping is refused: %v", err)
	}
	cases := []struct{ name, yaml, want string }{
		{"an operation left out", strings.Replace(full(""), "  webhook: {units: {worker_requests: 1}}\n", "", 1), "missing operation webhook"},
		{"an unknown operation", strings.Replace(full(""), "  webhook:", "  webhooks:", 1), "m.yaml:6: operations.webhooks: unknown operation"},
		{"an unknown unit", strings.Replace(full(""), "  webhook: {units: {worker_requests: 1}}", "  webhook: {units: {worker_request: 1}}", 1), "operations.webhook.units.worker_request: unknown unit"},
		{"a cost without units", strings.Replace(full(""), "  webhook: {units: {worker_requests: 1}}", "  webhook: {note: x}", 1), "operations.webhook.units: missing"},
		{"a switch default that is no choice", full("switches:\n  s: {default: b, choices: {a: {operations: {}}}}\n"), "\"b\" is not one of the choices"},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			_, err := parseMapping("m.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
