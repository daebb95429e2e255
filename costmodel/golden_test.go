package costmodel

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// The bills below are computed by hand from the catalogs
// (pricing/*.yaml), the mappings (operations/*.yaml) and the profiles
// (testdata/golden-*.yaml). Each comment shows the arithmetic; amounts are
// micro-dollars (1,000,000 = $1.00), rounded half up once per line.
// Changing a price or a mapping breaks these on purpose: redo the
// arithmetic, do not copy the new output.

// want* build the expected lines, one per billable unit, in bill order:
// the plan's units in catalog order (a converted unit right after the unit
// it is billed as), then units the catalog does not price.
func priced(unit, units, billable string, amount Micro) string {
	return fmt.Sprintf("%s units=%s billable=%s amount=%d", unit, units, billable, amount)
}

func overCap(unit, units, billable string) string {
	return fmt.Sprintf("%s units=%s billable=%s OVER CAP", unit, units, billable)
}

func converted(unit, units, to string) string {
	return fmt.Sprintf("%s units=%s billed as %s", unit, units, to)
}

func notPriced(unit, units string) string {
	return fmt.Sprintf("%s units=%s not priced", unit, units)
}

func describeLine(l Line) string {
	switch {
	case l.BilledAs != "":
		return converted(l.Unit, l.Units.RatString(), l.BilledAs)
	case l.NotPriced:
		return notPriced(l.Unit, l.Units.RatString())
	case l.OverCap != nil:
		return overCap(l.Unit, l.Units.RatString(), l.Billable.RatString())
	}
	return priced(l.Unit, l.Units.RatString(), l.Billable.RatString(), l.Amount)
}

type goldenBill struct {
	plan  string // catalog/plan
	fits  bool
	total Micro
	cents string
	lines []string
}

type goldenCase struct {
	profile  string
	switches map[string]string
	bills    []goldenBill
}

var goldenCases = []goldenCase{
	{
		// golden-proxy: 12,000,000 http_request, 2 seats.
		// Workers: 1 worker_requests + 1 worker_cpu_ms each
		//   -> worker_requests 12,000,000; worker_cpu_ms 12,000,000.
		// Convex: 1 function call + 1/5,760,000 GB-hour each
		//   -> calls 12,000,000; GB-hours 12,000,000/5,760,000 = 25/12; seats 2.
		profile: "testdata/golden-proxy.yaml",
		bills: []goldenBill{
			{plan: "cloudflare/workers-free", fits: false, total: 0, cents: "$0.00", lines: []string{
				// free 100,000/day x 30 = 3,000,000; 12,000,000 - 3,000,000 = 9,000,000 over the cap
				overCap("worker_requests", "12000000", "9000000"),
				// no CPU charge on Free: price 0
				priced("worker_cpu_ms", "12000000", "12000000", 0),
			}},
			{plan: "cloudflare/workers-paid", fits: true, total: 5_600_000, cents: "$5.60", lines: []string{
				// (12,000,000 - 10,000,000 included) x $0.30/M = $0.60
				priced("worker_requests", "12000000", "2000000", 600_000),
				// 12,000,000 <= 30,000,000 included
				priced("worker_cpu_ms", "12000000", "0", 0),
				// total: $5 base + $0.60 = $5.60
			}},
			{plan: "convex/free", fits: false, total: 0, cents: "$0.00", lines: []string{
				// 12,000,000 - 1,000,000 free = 11,000,000 over the cap
				overCap("convex_function_calls", "12000000", "11000000"),
				// 25/12 <= 20 free
				priced("convex_action_gb_hours", "25/12", "0", 0),
				priced("seats", "2", "2", 0),
			}},
			{plan: "convex/starter", fits: true, total: 24_200_000, cents: "$24.20", lines: []string{
				// 11,000,000 x $2.20/M = $24.20
				priced("convex_function_calls", "12000000", "11000000", 24_200_000),
				priced("convex_action_gb_hours", "25/12", "0", 0),
				priced("seats", "2", "2", 0),
			}},
			{plan: "convex/professional", fits: true, total: 50_000_000, cents: "$50.00", lines: []string{
				// 12,000,000 <= 25,000,000 included
				priced("convex_function_calls", "12000000", "0", 0),
				priced("convex_action_gb_hours", "25/12", "0", 0),
				// 2 x $25 = $50
				priced("seats", "2", "2", 50_000_000),
			}},
			{plan: "article/workers-free", fits: false, total: 0, cents: "$0.00", lines: []string{
				// 100k/day x 30 = 3,000,000; 9,000,000 over
				overCap("worker_requests", "12000000", "9000000"),
				notPriced("worker_cpu_ms", "12000000"),
			}},
			{plan: "article/workers-paid", fits: true, total: 8_600_000, cents: "$8.60", lines: []string{
				// no included quantity in the article: 12,000,000 x $0.30/M = $3.60
				priced("worker_requests", "12000000", "12000000", 3_600_000),
				notPriced("worker_cpu_ms", "12000000"),
				// total: $5 + $3.60 = $8.60
			}},
			{plan: "article/convex-free", fits: false, total: 0, cents: "$0.00", lines: []string{
				overCap("convex_function_calls", "12000000", "11000000"),
				// "included": price 0, no allowance
				priced("convex_action_gb_hours", "25/12", "25/12", 0),
				notPriced("seats", "2"),
			}},
			{plan: "article/convex-pro", fits: true, total: 25_000_000, cents: "$25.00", lines: []string{
				priced("convex_function_calls", "12000000", "12000000", 0),
				priced("convex_action_gb_hours", "25/12", "25/12", 0),
				notPriced("seats", "2"),
				// total: the $25 base
			}},
		},
	},
	{
		// golden-webhooks: 3,000,000 item_write, 20,000,000 item_read,
		// 1,000,000 webhook, 8 GB data, 1 seat.
		// Workers:
		//   worker_requests 3M + 20M + 1M = 24,000,000
		//   worker_cpu_ms   2x3M + 1x20M + 2x1M = 28,000,000
		//   d1_rows_read    3M + 20M + 1M = 24,000,000
		//   d1_rows_written 3M + 1M = 4,000,000
		//   d1_storage_gb   8
		// Convex:
		//   calls    2 x (3M + 20M + 1M) = 48,000,000
		//   GB-hours 24,000,000 / 2,880,000 = 25/3
		//   bytes read    256 x (3M + 20M + 1M) = 6,144,000,000
		//   bytes written 256 x 3M + 1,024 x 1M = 1,792,000,000
		//   db I/O   (6,144,000,000 + 1,792,000,000) / 10^9 = 7.936 GB = 992/125
		//   storage 8 GB; seats 1
		profile: "testdata/golden-webhooks.yaml",
		bills: []goldenBill{
			{plan: "cloudflare/workers-free", fits: false, total: 0, cents: "$0.00", lines: []string{
				overCap("worker_requests", "24000000", "21000000"), // 24M - 3M
				priced("worker_cpu_ms", "28000000", "28000000", 0),
				priced("d1_rows_read", "24000000", "0", 0),       // <= 5M/day x 30 = 150M
				overCap("d1_rows_written", "4000000", "1000000"), // 4M - 100k/day x 30
				overCap("d1_storage_gb", "8", "3"),               // 8 - 5
			}},
			{plan: "cloudflare/workers-paid", fits: true, total: 11_450_000, cents: "$11.45", lines: []string{
				priced("worker_requests", "24000000", "14000000", 4_200_000), // 14M x $0.30/M
				priced("worker_cpu_ms", "28000000", "0", 0),                  // <= 30M
				priced("d1_rows_read", "24000000", "0", 0),                   // <= 25B
				priced("d1_rows_written", "4000000", "0", 0),                 // <= 50M
				priced("d1_storage_gb", "8", "3", 2_250_000),                 // 3 x $0.75
				// total: $5 + $4.20 + $2.25 = $11.45
			}},
			{plan: "convex/free", fits: false, total: 0, cents: "$0.00", lines: []string{
				overCap("convex_function_calls", "48000000", "47000000"),
				priced("convex_action_gb_hours", "25/3", "0", 0),
				overCap("convex_db_storage_gb", "8", "15/2"),     // 8 - 0.5
				overCap("convex_db_io_gb", "992/125", "867/125"), // 7.936 - 1 = 6.936
				converted("convex_db_bytes_read", "6144000000", "convex_db_io_gb"),
				converted("convex_db_bytes_written", "1792000000", "convex_db_io_gb"),
				priced("seats", "1", "1", 0),
			}},
			{plan: "convex/starter", fits: true, total: 106_575_920, cents: "$106.58", lines: []string{
				priced("convex_function_calls", "48000000", "47000000", 103_400_000), // 47M x $2.20/M
				priced("convex_action_gb_hours", "25/3", "0", 0),
				priced("convex_db_storage_gb", "8", "15/2", 1_650_000),     // 7.5 x $0.22
				priced("convex_db_io_gb", "992/125", "867/125", 1_525_920), // 6.936 x $0.22 = 1.52592
				converted("convex_db_bytes_read", "6144000000", "convex_db_io_gb"),
				converted("convex_db_bytes_written", "1792000000", "convex_db_io_gb"),
				priced("seats", "1", "1", 0),
				// total: 103.40 + 1.65 + 1.52592 = $106.57592 -> $106.58
			}},
			{plan: "convex/professional", fits: true, total: 71_000_000, cents: "$71.00", lines: []string{
				priced("convex_function_calls", "48000000", "23000000", 46_000_000), // 23M x $2/M
				priced("convex_action_gb_hours", "25/3", "0", 0),
				priced("convex_db_storage_gb", "8", "0", 0),
				priced("convex_db_io_gb", "992/125", "0", 0),
				converted("convex_db_bytes_read", "6144000000", "convex_db_io_gb"),
				converted("convex_db_bytes_written", "1792000000", "convex_db_io_gb"),
				priced("seats", "1", "1", 25_000_000),
				// total: $46 + $25 = $71
			}},
			{plan: "article/workers-free", fits: false, total: 19_000, cents: "$0.02", lines: []string{
				overCap("worker_requests", "24000000", "21000000"),
				priced("d1_rows_read", "24000000", "19000000", 19_000), // (24M - 5M) x $0.001/M = $0.019
				notPriced("worker_cpu_ms", "28000000"),
				notPriced("d1_rows_written", "4000000"),
				notPriced("d1_storage_gb", "8"),
			}},
			{plan: "article/workers-paid", fits: true, total: 12_219_000, cents: "$12.22", lines: []string{
				priced("worker_requests", "24000000", "24000000", 7_200_000), // 24M x $0.30/M
				priced("d1_rows_read", "24000000", "19000000", 19_000),
				notPriced("worker_cpu_ms", "28000000"),
				notPriced("d1_rows_written", "4000000"),
				notPriced("d1_storage_gb", "8"),
				// total: $5 + $7.20 + $0.019 = $12.219 -> $12.22
			}},
			{plan: "article/convex-free", fits: false, total: 0, cents: "$0.00", lines: []string{
				overCap("convex_function_calls", "48000000", "47000000"),
				priced("convex_action_gb_hours", "25/3", "25/3", 0),
				priced("convex_db_storage_gb", "8", "8", 0),
				priced("convex_db_io_gb", "992/125", "992/125", 0),
				converted("convex_db_bytes_read", "6144000000", "convex_db_io_gb"),
				converted("convex_db_bytes_written", "1792000000", "convex_db_io_gb"),
				notPriced("seats", "1"),
			}},
			{plan: "article/convex-pro", fits: true, total: 25_000_000, cents: "$25.00", lines: []string{
				priced("convex_function_calls", "48000000", "48000000", 0),
				priced("convex_action_gb_hours", "25/3", "25/3", 0),
				priced("convex_db_storage_gb", "8", "8", 0),
				priced("convex_db_io_gb", "992/125", "992/125", 0),
				converted("convex_db_bytes_read", "6144000000", "convex_db_io_gb"),
				converted("convex_db_bytes_written", "1792000000", "convex_db_io_gb"),
				notPriced("seats", "1"),
			}},
		},
	},
	{
		// golden-realtime: 1,000,000 job_scheduled and job_fired;
		// subscriptions 1,000 subscribers, 20 per channel, 10,000 messages
		// each, 30 connects each -> message_delivered 10,000,000,
		// message_published 10,000,000 / 20 = 500,000, ws_connect 30,000;
		// files 50 GB, 80 GB egress, 2,000,000 uploads, 15,000,000
		// downloads; 2 seats.
		// Workers (publish over HTTP):
		//   worker_requests 1M (scheduled) + 500k (published) + 30k (connect) = 1,530,000
		//   worker_cpu_ms   1 each, same = 1,530,000
		//   do_requests     1M + 1M (fired) + 500k + 30k = 2,530,000
		//   do_rows_read    1M (fired)
		//   do_rows_written 2 x 1M + 1M + 500k = 3,500,000
		//   do_duration_gb_s 0.00128 x 2,530,000 = 3,238.4 = 16192/5
		//   r2: 50 GB, class A 2,000,000, class B 15,000,000; egress free
		// Convex (per-subscriber):
		//   calls 2x1M + 1M + 2x500k + 10M (deliveries) + 30k + 2M (uploads) + 15M (downloads) = 31,030,000
		//   GB-hours (1M + 500k) / 2,880,000 = 25/48
		//   bytes written 512 x 1M + 256 x 1M + 256 x 500k = 896,000,000
		//   bytes read    256 x 1M + 256 x 10M + 256 x 30k = 2,823,680,000
		//   db I/O 3,719,680,000 / 10^9 = 3.71968 = 11624/3125
		profile: "testdata/golden-realtime.yaml",
		bills: []goldenBill{
			{plan: "cloudflare/workers-free", fits: false, total: 6_900_000, cents: "$6.90", lines: []string{
				priced("worker_requests", "1530000", "0", 0),
				priced("worker_cpu_ms", "1530000", "1530000", 0),
				priced("do_requests", "2530000", "0", 0),      // <= 3,000,000
				priced("do_duration_gb_s", "16192/5", "0", 0), // <= 390,000
				priced("do_rows_read", "1000000", "0", 0),
				overCap("do_rows_written", "3500000", "500000"),        // 3.5M - 3M
				priced("r2_storage_gb", "50", "40", 600_000),           // 40 x $0.015
				priced("r2_class_a", "2000000", "1000000", 4_500_000),  // 1M x $4.50/M
				priced("r2_class_b", "15000000", "5000000", 1_800_000), // 5M x $0.36/M
			}},
			{plan: "cloudflare/workers-paid", fits: true, total: 12_129_500, cents: "$12.13", lines: []string{
				priced("worker_requests", "1530000", "0", 0),
				priced("worker_cpu_ms", "1530000", "0", 0),
				priced("do_requests", "2530000", "1530000", 229_500), // 1.53M x $0.15/M
				priced("do_duration_gb_s", "16192/5", "0", 0),
				priced("do_rows_read", "1000000", "0", 0),
				priced("do_rows_written", "3500000", "0", 0),
				priced("r2_storage_gb", "50", "40", 600_000),
				priced("r2_class_a", "2000000", "1000000", 4_500_000),
				priced("r2_class_b", "15000000", "5000000", 1_800_000),
				// total: 5 + 0.2295 + 0.60 + 4.50 + 1.80 = $12.1295 -> $12.13
			}},
			{plan: "convex/free", fits: false, total: 0, cents: "$0.00", lines: []string{
				overCap("convex_function_calls", "31030000", "30030000"),
				priced("convex_action_gb_hours", "25/48", "0", 0),
				overCap("convex_db_io_gb", "11624/3125", "8499/3125"), // 3.71968 - 1
				converted("convex_db_bytes_written", "896000000", "convex_db_io_gb"),
				converted("convex_db_bytes_read", "2823680000", "convex_db_io_gb"),
				overCap("convex_file_storage_gb", "50", "49"),
				overCap("convex_file_egress_gb", "80", "79"),
				priced("seats", "2", "2", 0),
			}},
			{plan: "convex/starter", fits: true, total: 78_709_330, cents: "$78.71", lines: []string{
				priced("convex_function_calls", "31030000", "30030000", 66_066_000), // 30.03M x $2.20/M
				priced("convex_action_gb_hours", "25/48", "0", 0),
				// 2.71968 x $0.22 = 0.5983296 -> 598,329.6 micro -> 598,330
				priced("convex_db_io_gb", "11624/3125", "8499/3125", 598_330),
				converted("convex_db_bytes_written", "896000000", "convex_db_io_gb"),
				converted("convex_db_bytes_read", "2823680000", "convex_db_io_gb"),
				priced("convex_file_storage_gb", "50", "49", 1_617_000), // 49 x $0.033
				priced("convex_file_egress_gb", "80", "79", 10_428_000), // 79 x $0.132
				priced("seats", "2", "2", 0),
				// total: 66.066 + 0.59833 + 1.617 + 10.428 = $78.70933 -> $78.71
			}},
			{plan: "convex/professional", fits: true, total: 65_660_000, cents: "$65.66", lines: []string{
				priced("convex_function_calls", "31030000", "6030000", 12_060_000), // 6.03M x $2/M
				priced("convex_action_gb_hours", "25/48", "0", 0),
				priced("convex_db_io_gb", "11624/3125", "0", 0),
				converted("convex_db_bytes_written", "896000000", "convex_db_io_gb"),
				converted("convex_db_bytes_read", "2823680000", "convex_db_io_gb"),
				priced("convex_file_storage_gb", "50", "0", 0),
				priced("convex_file_egress_gb", "80", "30", 3_600_000), // 30 x $0.12
				priced("seats", "2", "2", 50_000_000),
				// total: 12.06 + 3.60 + 50 = $65.66
			}},
			{plan: "article/workers-free", fits: true, total: 979_500, cents: "$0.98", lines: []string{
				priced("worker_requests", "1530000", "0", 0),         // <= 3,000,000
				priced("do_requests", "2530000", "2530000", 379_500), // 2.53M x $0.15/M
				priced("r2_storage_gb", "50", "40", 600_000),
				notPriced("worker_cpu_ms", "1530000"),
				notPriced("do_rows_written", "3500000"),
				notPriced("do_duration_gb_s", "16192/5"),
				notPriced("do_rows_read", "1000000"),
				notPriced("r2_class_a", "2000000"),
				notPriced("r2_class_b", "15000000"),
			}},
			{plan: "article/workers-paid", fits: true, total: 6_438_500, cents: "$6.44", lines: []string{
				priced("worker_requests", "1530000", "1530000", 459_000), // 1.53M x $0.30/M
				priced("do_requests", "2530000", "2530000", 379_500),
				priced("r2_storage_gb", "50", "40", 600_000),
				notPriced("worker_cpu_ms", "1530000"),
				notPriced("do_rows_written", "3500000"),
				notPriced("do_duration_gb_s", "16192/5"),
				notPriced("do_rows_read", "1000000"),
				notPriced("r2_class_a", "2000000"),
				notPriced("r2_class_b", "15000000"),
				// total: 5 + 0.459 + 0.3795 + 0.60 = $6.4385 -> $6.44
			}},
			{plan: "article/convex-free", fits: false, total: 0, cents: "$0.00", lines: []string{
				overCap("convex_function_calls", "31030000", "30030000"),
				priced("convex_action_gb_hours", "25/48", "25/48", 0),
				priced("convex_db_io_gb", "11624/3125", "11624/3125", 0),
				converted("convex_db_bytes_written", "896000000", "convex_db_io_gb"),
				converted("convex_db_bytes_read", "2823680000", "convex_db_io_gb"),
				priced("convex_file_storage_gb", "50", "50", 0),
				notPriced("convex_file_egress_gb", "80"),
				notPriced("seats", "2"),
			}},
			{plan: "article/convex-pro", fits: true, total: 25_000_000, cents: "$25.00", lines: []string{
				priced("convex_function_calls", "31030000", "31030000", 0),
				priced("convex_action_gb_hours", "25/48", "25/48", 0),
				priced("convex_db_io_gb", "11624/3125", "11624/3125", 0),
				converted("convex_db_bytes_written", "896000000", "convex_db_io_gb"),
				converted("convex_db_bytes_read", "2823680000", "convex_db_io_gb"),
				priced("convex_file_storage_gb", "50", "50", 0),
				notPriced("convex_file_egress_gb", "80"),
				notPriced("seats", "2"),
			}},
		},
	},
	{
		// golden-realtime with one Convex function call per query update
		// instead of per subscriber: deliveries cost nothing, each of the
		// 500,000 published messages re-runs the query once (1 call, 256
		// bytes read).
		//   calls 31,030,000 - 10,000,000 + 500,000 = 21,530,000
		//   bytes read 2,823,680,000 - 2,560,000,000 + 128,000,000 = 391,680,000
		//   db I/O (391,680,000 + 896,000,000) / 10^9 = 1.28768 = 4024/3125
		profile:  "testdata/golden-realtime.yaml",
		switches: map[string]string{SwitchConvexSubBilling: "per-query"},
		bills: []goldenBill{
			{plan: "convex/starter", fits: true, total: 57_274_290, cents: "$57.27", lines: []string{
				priced("convex_function_calls", "21530000", "20530000", 45_166_000), // 20.53M x $2.20/M
				priced("convex_action_gb_hours", "25/48", "0", 0),
				// 0.28768 x $0.22 = 0.0632896 -> 63,289.6 micro -> 63,290
				priced("convex_db_io_gb", "4024/3125", "899/3125", 63_290),
				converted("convex_db_bytes_written", "896000000", "convex_db_io_gb"),
				converted("convex_db_bytes_read", "391680000", "convex_db_io_gb"),
				priced("convex_file_storage_gb", "50", "49", 1_617_000),
				priced("convex_file_egress_gb", "80", "79", 10_428_000),
				priced("seats", "2", "2", 0),
				// total: 45.166 + 0.06329 + 1.617 + 10.428 = $57.27429 -> $57.27
			}},
			{plan: "convex/professional", fits: true, total: 53_600_000, cents: "$53.60", lines: []string{
				priced("convex_function_calls", "21530000", "0", 0), // <= 25M
				priced("convex_action_gb_hours", "25/48", "0", 0),
				priced("convex_db_io_gb", "4024/3125", "0", 0),
				converted("convex_db_bytes_written", "896000000", "convex_db_io_gb"),
				converted("convex_db_bytes_read", "391680000", "convex_db_io_gb"),
				priced("convex_file_storage_gb", "50", "0", 0),
				priced("convex_file_egress_gb", "80", "30", 3_600_000),
				priced("seats", "2", "2", 50_000_000),
				// total: 3.60 + 50 = $53.60
			}},
		},
	},
}

func TestGoldenBills(t *testing.T) {
	cs := mustBuiltin(t)
	for _, gc := range goldenCases {
		p, err := LoadProfile(gc.profile)
		if err != nil {
			t.Fatal(err)
		}
		opts := Options{Switches: gc.switches, Now: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
		for _, want := range gc.bills {
			setting := "default switches"
			for k, v := range gc.switches {
				setting = k + "=" + v
			}
			name := fmt.Sprintf("%s on %s with %s matches the hand-computed bill", p.Name, want.plan, setting)
			t.Run(name, func(t *testing.T) {
				ref, err := cs.Ref(want.plan)
				if err != nil {
					t.Fatal(err)
				}
				b, err := Bill(ref.Catalog, ref.Plan, p, opts)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, l := range b.Lines {
					got = append(got, describeLine(l))
				}
				if !slices.Equal(got, want.lines) {
					t.Errorf("lines:\ngot\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want.lines, "\n  "))
				}
				if b.Total != want.total || b.Total.String() != want.cents {
					t.Errorf("total = %d micro (%s), want %d (%s)", b.Total, b.Total, want.total, want.cents)
				}
				if b.Feasible != want.fits {
					t.Errorf("fits = %v, want %v (exceeded: %v)", b.Feasible, want.fits, b.Exceeded)
				}
			})
		}
	}
}

func mustBuiltin(t testing.TB) *Catalogs {
	t.Helper()
	cs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return cs
}
