package costmodel

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

func TestCLI(t *testing.T) {
	t.Run("bills the startup profile on every plan by default", func(t *testing.T) {
		var buf bytes.Buffer
		if err := CLI(&buf, CostArgs{Now: testNow}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, want := range []string{
			"profile startup",
			"cloudflare/workers-paid (Workers Paid)",
			"| unit ", "| included ", "| billable ",
			"| worker_requests  | 21,700,000 |",
			"$13.73", // Workers Paid for startup
			"cheapest workers plan in cloudflare",
			"break-even cloudflare/workers-paid vs convex/professional",
			"Switch convex_sub_billing = per-subscriber",
			"DOES NOT FIT",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q", want)
			}
		}
		if strings.Contains(out, "break-even cloudflare/workers-free") {
			t.Error("break-even shown for a plan that does not fit the profile")
		}
	})
	t.Run("a --pricing file replaces the built-in catalog of its name", func(t *testing.T) {
		dir := t.TempDir()
		data, err := pricingFiles.ReadFile("pricing/cloudflare.yaml")
		if err != nil {
			t.Fatal(err)
		}
		// Workers Paid at $7 a month, dated long ago.
		mine := strings.Replace(strings.Replace(string(data), "base_fee: 5", "base_fee: 7", 1), "as_of: 2026-09-01", "as_of: 2024-01-01", 1)
		path := filepath.Join(dir, "cloudflare.yaml")
		if err := os.WriteFile(path, []byte(mine), 0o644); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := CLI(&buf, CostArgs{Profile: "hobby", Pricing: []string{path}, Now: testNow}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if !strings.Contains(out, "| cloudflare | workers  | workers-paid |  $7.00 ?") {
			t.Errorf("the replaced base fee is not billed:\n%s", out)
		}
		if !strings.Contains(out, "WARNING: prices of cloudflare dated 2024-01-01 are more than 12 months old") {
			t.Error("no staleness warning beside the table")
		}
	})
	t.Run("the convex switch changes the Convex bill", func(t *testing.T) {
		var per, query bytes.Buffer
		if err := CLI(&per, CostArgs{Profile: "startup", Now: testNow}); err != nil {
			t.Fatal(err)
		}
		if err := CLI(&query, CostArgs{Profile: "startup", ConvexSubBilling: "per-query", Now: testNow}); err != nil {
			t.Fatal(err)
		}
		if per.String() == query.String() || !strings.Contains(query.String(), "convex_sub_billing = per-query") {
			t.Error("per-query billing changed nothing")
		}
	})
	t.Run("compares a run's metered units", func(t *testing.T) {
		dir := t.TempDir()
		if err := testRun().Save(dir); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := CLI(&buf, CostArgs{Profile: "hobby", Run: dir, Now: testNow}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "run r1: metered units beside the declared mapping") || !strings.Contains(buf.String(), "+25.0%") {
			t.Errorf("no measured units:\n%s", buf.String())
		}
	})
	errCases := []struct {
		name, want string
		args       CostArgs
	}{
		{"an unknown switch value", "per-query", CostArgs{ConvexSubBilling: "per-message"}},
		{"an unknown publish path", "websocket", CostArgs{WorkersPublishVia: "carrier-pigeon"}},
		{"an unknown profile", "no such built-in profile", CostArgs{Profile: "nope"}},
		{"a missing pricing file", "pricing catalog", CostArgs{Pricing: []string{"/nonexistent/x.yaml"}}},
		{"a missing run", "no such run directory", CostArgs{Run: "/nonexistent/run"}},
	}
	for _, tc := range errCases {
		t.Run(tc.name+" is an error saying what to do", func(t *testing.T) {
			err := CLI(&bytes.Buffer{}, tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestWriteBills(t *testing.T) {
	cs := mustBuiltin(t)
	p, err := LoadProfile("testdata/golden-realtime.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var bills []*MonthlyBill
	for _, ref := range []string{"cloudflare/workers-free", "cloudflare/workers-paid", "convex/starter", "convex/professional"} {
		r, _ := cs.Ref(ref)
		b, err := Bill(r.Catalog, r.Plan, p, Options{Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		bills = append(bills, b)
	}
	var buf bytes.Buffer
	if err := WriteBills(&buf, bills); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"|  3,500,000 |     3,000,000 (100,000/day) |", // per-day free shown with its monthly figure
		"OVER CAP",                    // workers-free exceeds rows written
		"| convex_db_bytes_read    |", // a converted unit gets its own line
		"as convex_db_io_gb ?",        // and says what it is billed as, unsure
		"$25.00/seat ?",               // Professional seats are unsure
		"message_delivered x 10,000,000: ~ 1 convex_function_calls", // units per operation under the table
		"| cloudflare | workers  | workers-paid | $12.13 ? | yes  | cheapest workers plan in cloudflare |",
		"| convex     | convex   | professional | $65.66 ? | yes  | cheapest convex plan in convex      |",
		"Free allowances given per day count x30",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}
