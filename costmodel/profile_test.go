package costmodel

import (
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuiltinProfiles(t *testing.T) {
	want := []string{"article-backend", "article-proxy", "hobby", "scale", "startup"}
	if got := BuiltinProfiles(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("built-in profiles %v, want %v", got, want)
	}
	for _, name := range want {
		t.Run(name+" loads by name with a description", func(t *testing.T) {
			p, err := LoadProfile(name)
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != name || p.Description == "" {
				t.Errorf("name %q description %q", p.Name, p.Description)
			}
		})
	}
	t.Run("article-proxy is 50,000 requests a day for 30 days", func(t *testing.T) {
		p, _ := LoadProfile("article-proxy")
		if got := p.Operations[OpHTTPRequest]; got.Cmp(big.NewRat(50_000*30, 1)) != 0 {
			t.Errorf("http_request = %s", got.RatString())
		}
	})
}

func TestSubscriptionsDeriveOperations(t *testing.T) {
	p, err := LoadProfile("startup")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range p.Volumes(big.NewRat(2, 1)) {
		got[v.Name] = v.Qty.RatString()
	}
	// 2,000 subscribers x 5,000 messages = 10,000,000 deliveries, / 10 per
	// channel = 1,000,000 publishes, 2,000 x 100 = 200,000 connects; all
	// doubled; seats (3) are not scaled.
	want := map[string]string{OpMessageDelivered: "20000000", OpMessagePublished: "2000000", OpWSConnect: "400000", "seats": "3", OpHTTPRequest: "20000000"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %s, want %s", k, got[k], w)
		}
	}
}

func TestProfileErrors(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"an unknown operation", "operations:\n  http_requests: 5\n", "p.yaml:2: operations.http_requests: unknown operation"},
		{"a negative volume", "operations:\n  webhook: -5\n", "p.yaml:2: operations.webhook: \"-5\": must not be negative"},
		{"an unknown resource", "resources:\n  disk_gb: 5\n", "p.yaml:2: resources.disk_gb: unknown resource"},
		{"an unknown unit", "units:\n  workers:\n    kv_read: 5\n", "p.yaml:3: units.workers.kv_read: unknown unit"},
		{"units of an unknown platform", "units:\n  lambda:\n    kv_reads: 5\n", "p.yaml:3: units.lambda: \"lambda\": unknown platform"},
		{"a derived operation set twice", "operations:\n  ws_connect: 5\nsubscriptions:\n  subscribers: 10\n  per_channel: 2\n  messages_per_subscriber: 1\n  connects_per_subscriber: 1\n",
			"operations.ws_connect is derived from subscriptions"},
		{"more subscribers per channel than subscribers", "subscriptions:\n  subscribers: 10\n  per_channel: 20\n  messages_per_subscriber: 1\n  connects_per_subscriber: 1\n",
			"p.yaml:3: subscriptions.per_channel: 20 subscribers per channel but only 10"},
		{"a missing subscriptions field", "subscriptions:\n  subscribers: 10\n  messages_per_subscriber: 1\n  connects_per_subscriber: 1\n",
			"subscriptions.per_channel: missing"},
		{"a profile with no traffic", "name: empty\n", "the profile has no traffic"},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is refused with file and line", func(t *testing.T) {
			_, err := ParseProfile("p.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadProfile(t *testing.T) {
	t.Run("reads a file by path and names it after the file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "mine.yaml")
		if err := os.WriteFile(path, []byte("operations:\n  http_request: 100\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := LoadProfile(path)
		if err != nil || p.Name != "mine" || p.File != path {
			t.Fatalf("profile %+v err %v", p, err)
		}
		if !p.SeatsAssumed || p.Resources["seats"].Cmp(big.NewRat(1, 1)) != 0 {
			t.Errorf("a profile without seats assumes a team of 1")
		}
	})
	t.Run("an unknown name lists the built-ins", func(t *testing.T) {
		_, err := LoadProfile("enterprise")
		if err == nil || !strings.Contains(err.Error(), "hobby") {
			t.Fatalf("err = %v", err)
		}
	})
}
