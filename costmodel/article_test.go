package costmodel

import (
	"testing"
	"time"
)

// TestArticleCheck bills the article's two examples on the article's own
// figures and on the platforms' price lists, prints what each implies, and
// checks the article's claims: a 50,000-requests-a-day proxy stays in the
// Workers free tier; 2 M function calls a month is past Convex's free tier,
// which the article answers with Pro at $25.
func TestArticleCheck(t *testing.T) {
	cs := mustBuiltin(t)
	opts := Options{Now: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	bill := func(t *testing.T, profile, ref string) *MonthlyBill {
		t.Helper()
		p, err := LoadProfile(profile)
		if err != nil {
			t.Fatal(err)
		}
		r, err := cs.Ref(ref)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Bill(r.Catalog, r.Plan, p, opts)
		if err != nil {
			t.Fatal(err)
		}
		status := "fits"
		if !b.Feasible {
			status = "does not fit: " + b.Exceeded[0]
		}
		t.Logf("%-16s on %-24s %10s  (%s)", profile, ref, b.Total, status)
		return b
	}
	cases := []struct {
		profile, plan string
		fits          bool
		total         Micro
	}{
		// 50,000 requests/day x 30 = 1,500,000 a month.
		{"article-proxy", "article/workers-free", true, 0},              // <= 100k/day x 30
		{"article-proxy", "article/workers-paid", true, 5_450_000},      // $5 + 1.5M x $0.30/M (no included quantity)
		{"article-proxy", "cloudflare/workers-free", true, 0},           // <= 3M requests; CPU free
		{"article-proxy", "cloudflare/workers-paid", true, 5_000_000},   // 1.5M <= 10M included
		{"article-proxy", "convex/free", false, 0},                      // 1.5M HTTP actions > 1M calls
		{"article-proxy", "convex/starter", true, 1_100_000},            // 0.5M x $2.20/M
		{"article-backend", "article/convex-free", false, 0},            // 2M > 1M
		{"article-backend", "article/convex-pro", true, 25_000_000},     // $25, calls "included"
		{"article-backend", "convex/free", false, 0},                    // 2M > 1M
		{"article-backend", "convex/starter", true, 2_200_000},          // 1M x $2.20/M; I/O 0.384 GB <= 1 GB
		{"article-backend", "convex/professional", true, 25_000_000},    // 1 seat x $25; 2M <= 25M
		{"article-backend", "cloudflare/workers-free", true, 0},         // 1M requests, 1M rows read, 0.5M written
		{"article-backend", "cloudflare/workers-paid", true, 5_000_000}, // all within included
	}
	for _, tc := range cases {
		t.Run(tc.profile+" on "+tc.plan+" costs what the catalogs imply", func(t *testing.T) {
			b := bill(t, tc.profile, tc.plan)
			if b.Feasible != tc.fits || b.Total != tc.total {
				t.Errorf("fits %v total %s; want fits %v total %s", b.Feasible, b.Total, tc.fits, tc.total)
			}
		})
	}
	t.Run("2 M function calls are 2 M on the Convex mapping", func(t *testing.T) {
		b := bill(t, "article-backend", "convex/starter")
		for _, l := range b.Lines {
			if l.Unit == "convex_function_calls" && l.Units.RatString() != "2000000" {
				t.Errorf("function calls = %s", l.Units.RatString())
			}
		}
	})
	t.Run("the proxy claim holds, the Pro answer overpays", func(t *testing.T) {
		proxy := bill(t, "article-proxy", "cloudflare/workers-free")
		starter := bill(t, "article-backend", "convex/starter")
		pro := bill(t, "article-backend", "article/convex-pro")
		t.Logf("claim \"most proxy workloads stay well within the free tier\": 1,500,000 of 3,000,000 free requests a month: holds (%s)", proxy.Total)
		t.Logf("article: 2 M calls need Pro at %s; price list: Starter at %s is the cheapest plan that fits", pro.Total, starter.Total)
		if !proxy.Feasible || starter.Total >= pro.Total {
			t.Error("the article check no longer reads as logged")
		}
	})
}
