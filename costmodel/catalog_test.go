package costmodel

import (
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBuiltinCatalogs(t *testing.T) {
	cs := mustBuiltin(t)
	want := map[string][]string{
		"cloudflare": {"workers-free", "workers-paid"},
		"convex":     {"free", "starter", "professional"},
		"article":    {"workers-free", "workers-paid", "convex-free", "convex-pro"},
	}
	t.Run("are cloudflare, convex and article in that order", func(t *testing.T) {
		var names []string
		for _, c := range cs.List {
			names = append(names, c.Name)
		}
		if strings.Join(names, ",") != "cloudflare,convex,article" {
			t.Fatalf("catalogs = %v", names)
		}
	})
	for name, plans := range want {
		t.Run(name+" has its plans, a source and a date", func(t *testing.T) {
			c := cs.Get(name)
			if c.Source == "" || c.AsOf.IsZero() || c.Currency != "USD" {
				t.Errorf("source %q as_of %v currency %q", c.Source, c.AsOf, c.Currency)
			}
			for _, p := range plans {
				if _, err := c.Plan(p); err != nil {
					t.Error(err)
				}
			}
			if len(c.Plans) != len(plans) {
				t.Errorf("%d plans, want %d", len(c.Plans), len(plans))
			}
		})
	}
	t.Run("mark what platform-facts calls unsure", func(t *testing.T) {
		free, _ := cs.Get("cloudflare").Plan("workers-free")
		pro, _ := cs.Get("convex").Plan("professional")
		for _, pr := range []*Price{free.Price("queue_operations"), pro.Price("seats")} {
			if !pr.Unsure {
				t.Errorf("%s is not marked unsure", pr.Unit)
			}
		}
	})
	t.Run("convert a per-day free allowance to a month as x30", func(t *testing.T) {
		free, _ := cs.Get("cloudflare").Plan("workers-free")
		got := free.Price("worker_requests").FreeMonthly()
		if got.Cmp(big.NewRat(3_000_000, 1)) != 0 {
			t.Errorf("100,000/day = %s a month, want 3,000,000", got.RatString())
		}
	})
	t.Run("give the article only the figures of its table", func(t *testing.T) {
		art := cs.Get("article")
		if !art.Partial {
			t.Error("the article catalog must be partial")
		}
		paid, _ := art.Plan("workers-paid")
		var units []string
		for _, pr := range paid.Prices {
			units = append(units, pr.Unit)
		}
		if got := strings.Join(units, ","); got != "worker_requests,d1_rows_read,do_requests,r2_storage_gb,cron_triggers" {
			t.Errorf("article workers-paid prices %s", got)
		}
	})
}

// validCatalog is a minimal good catalog the error cases break one line of.
const validCatalog = `catalog: test
source: a test
as_of: 2026-01-15
currency: USD
plans:
  - name: paid
    platform: workers
    base_fee: 5
    units:
      worker_requests: {included: 10_000_000, price: 0.30, per: 1_000_000}
      worker_cpu_ms: {price: 0}
`

func TestParseCatalogErrors(t *testing.T) {
	cases := []struct {
		name, yaml, wantLine, wantField, wantMsg string
	}{
		{"a missing price names the unit's line", strings.Replace(validCatalog, "price: 0.30, per: 1_000_000", "per: 1_000_000", 1),
			":10:", "plans[0].units.worker_requests.price", "missing price"},
		{"a negative quantity is refused", strings.Replace(validCatalog, "included: 10_000_000", "included: -5", 1),
			":10:", "plans[0].units.worker_requests.included", "must not be negative"},
		{"a negative base fee is refused", strings.Replace(validCatalog, "base_fee: 5", "base_fee: -5", 1),
			":8:", "plans[0].base_fee", "must not be negative"},
		{"an unknown unit names the known ones", strings.Replace(validCatalog, "worker_requests:", "worker_request:", 1),
			":10:", "plans[0].units.worker_request", "unknown unit"},
		{"an as_of that is not a date", strings.Replace(validCatalog, "2026-01-15", "last spring", 1),
			":3:", "as_of", "not a date"},
		{"an impossible date", strings.Replace(validCatalog, "2026-01-15", "2026-02-30", 1),
			":3:", "as_of", "not a date"},
		{"a missing as_of", strings.Replace(validCatalog, "as_of: 2026-01-15\n", "", 1),
			":1:", "as_of", "missing"},
		{"an unknown field", strings.Replace(validCatalog, "currency: USD", "currency: USD\ncolour: blue", 1),
			":5:", "colour", "unknown field"},
		{"a free_per other than day or month", strings.Replace(validCatalog, "{included: 10_000_000,", "{free: 5, free_per: week,", 1),
			":10:", "free_per", "want day or month"},
		{"a per of zero", strings.Replace(validCatalog, "per: 1_000_000", "per: 0", 1),
			":10:", "per", "more than 0"},
		{"an unknown platform", strings.Replace(validCatalog, "platform: workers", "platform: lambda", 1),
			":7:", "plans[0].platform", "unknown platform"},
		{"a price that is not a number", strings.Replace(validCatalog, "price: 0.30", "price: cheap", 1),
			":10:", "price", "want a number"},
		{"a float exponent is refused rather than rounded", strings.Replace(validCatalog, "price: 0.30", "price: 3e-1", 1),
			":10:", "price", "want a number"},
		{"a plan defined twice", validCatalog + "  - name: paid\n    platform: workers\n    base_fee: 0\n",
			":12:", "plans[1]", "defined twice"},
		{"a duplicate key", strings.Replace(validCatalog, "currency: USD", "currency: USD\ncurrency: EUR", 1),
			":5:", "", "already defined"},
		{"an alias is refused", strings.Replace(validCatalog, "base_fee: 5", "base_fee: &fee 5\n    unsure: *fee", 1),
			":9:", "plans[0].unsure", "aliases"},
		{"text that is not YAML", "catalog: [unclosed\n", ":1:", "", "not valid YAML"},
		{"two documents", validCatalog + "---\n" + validCatalog, ":1:", "", "exactly one YAML document"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCatalog("bad.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T %v is not a FieldError", err, err)
			}
			msg := err.Error()
			for _, want := range []string{"bad.yaml" + tc.wantLine, tc.wantField, tc.wantMsg} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
		})
	}
}

func TestLoadCatalogFile(t *testing.T) {
	t.Run("reads a user's catalog and names the file in errors", func(t *testing.T) {
		dir := t.TempDir()
		good := filepath.Join(dir, "mine.yaml")
		if err := os.WriteFile(good, []byte(validCatalog), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := LoadCatalogFile(good)
		if err != nil || c.Name != "test" || c.File != good {
			t.Fatalf("catalog %+v, err %v", c, err)
		}
		bad := filepath.Join(dir, "bad.yaml")
		if err := os.WriteFile(bad, []byte(strings.Replace(validCatalog, "2026-01-15", "soon", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadCatalogFile(bad); err == nil || !strings.Contains(err.Error(), bad+":3:") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a catalog of a built-in's name replaces it", func(t *testing.T) {
		cs := mustBuiltin(t)
		c, err := ParseCatalog("mine.yaml", []byte(strings.Replace(validCatalog, "catalog: test", "catalog: cloudflare", 1)))
		if err != nil {
			t.Fatal(err)
		}
		cs.Put(c)
		if len(cs.List) != 3 || cs.Get("cloudflare").File != "mine.yaml" || cs.List[0] != c {
			t.Fatalf("replacement did not take the built-in's place")
		}
	})
}

func TestStalePrices(t *testing.T) {
	c, err := ParseCatalog("old.yaml", []byte(validCatalog))
	if err != nil {
		t.Fatal(err)
	}
	p := &Profile{Name: "p", File: "p.yaml", Operations: map[string]*big.Rat{OpHTTPRequest: big.NewRat(1000, 1)},
		Resources: map[string]*big.Rat{}, lines: map[string]int{}}
	cases := []struct {
		name string
		now  time.Time
		warn bool
	}{
		{"a price 11 months old gets no warning", time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC), false},
		{"a price exactly 12 months old gets no warning", time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), false},
		{"a price 13 months old gets a warning naming the file", time.Date(2027, 2, 15, 0, 0, 0, 0, time.UTC), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Bill(c, "paid", p, Options{Now: tc.now})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(b.Warnings) > 0; got != tc.warn {
				t.Fatalf("warnings %v", b.Warnings)
			}
			if tc.warn && !strings.Contains(b.Warnings[0], "old.yaml") {
				t.Errorf("warning %q does not name the file", b.Warnings[0])
			}
		})
	}
}

func TestUnitNoCatalogPrices(t *testing.T) {
	c, err := ParseCatalog("narrow.yaml", []byte(validCatalog))
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseProfile("hooks.yaml", []byte("operations:\n  http_request: 10\n  webhook: 100\n"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("is an error naming the profile's file, line and field", func(t *testing.T) {
		_, err := Bill(c, "paid", p, Options{})
		if err == nil {
			t.Fatal("no error")
		}
		for _, want := range []string{"hooks.yaml:3:", "operations.webhook", "d1_rows_read", "narrow.yaml"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		}
	})
	t.Run("is a not-offered line when another plan prices it", func(t *testing.T) {
		two := validCatalog + `  - name: tiny
    platform: workers
    base_fee: 0
    units:
      worker_requests: {free: 1000, price: capped}
`
		c, err := ParseCatalog("two.yaml", []byte(two))
		if err != nil {
			t.Fatal(err)
		}
		proxy, err := ParseProfile("proxy.yaml", []byte("operations:\n  http_request: 10\n"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := Bill(c, "tiny", proxy, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if b.Feasible || len(b.Exceeded) != 1 || !strings.Contains(b.Exceeded[0], "worker_cpu_ms") {
			t.Fatalf("feasible %v exceeded %v", b.Feasible, b.Exceeded)
		}
	})
}

func TestParseQuantity(t *testing.T) {
	cases := []struct {
		in, want string // want "" means an error
	}{
		{"0", "0"}, {"10_000_000", "10000000"}, {"0.30", "3/10"}, {"0.001", "1/1000"},
		{"1/20", "1/20"}, {"1/1_000_000_000", "1/1000000000"}, {"12.50", "25/2"},
		{"-1", ""}, {"015", ""}, {"1/020", ""}, {"3e-1", ""}, {"0x10", ""}, {".5", ""},
		{"1/0", ""}, {"", ""}, {"1.", ""}, {strings.Repeat("9", 41), ""},
	}
	for _, tc := range cases {
		t.Run("reads "+tc.in+" exactly or refuses it", func(t *testing.T) {
			q, err := parseQuantity(tc.in)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("accepted as %s", q.RatString())
				}
				return
			}
			if err != nil || q.RatString() != tc.want {
				t.Fatalf("= %v, %v; want %s", q, err, tc.want)
			}
		})
	}
}
