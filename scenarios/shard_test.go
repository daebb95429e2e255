package scenarios

import "testing"

func TestShardsSplitTheLoadAndKeepFanoutWhole(t *testing.T) {
	text := []byte(`name: s
targets: [fake]
scenarios:
  - {name: h, kind: http, path: /health, rate: 300}
  - {name: j, kind: schedule, delays: [0ms], jobs: 10, rate: 30}
  - {name: c, kind: subscribe, subscribers: 100, rate: 90}
  - {name: f, kind: fanout, subscribers: [10]}
`)
	totals := map[string]float64{}
	for i := 1; i <= 3; i++ {
		s, err := Parse("s.yaml", text)
		if err != nil {
			t.Fatal(err)
		}
		notes := Shard(s, i, 3)
		if len(notes) == 0 {
			t.Errorf("shard %d: no notes", i)
		}
		for _, sc := range s.Scenarios {
			switch v := sc.(type) {
			case *HTTPScenario:
				totals["rate"] += v.Rate
			case *ScheduleScenario:
				totals["jobs"] += float64(v.Jobs)
			case *SubscribeScenario:
				totals["subscribers"] += float64(v.Subscribers)
			case *FanoutScenario:
				totals["fanout"]++
			}
		}
	}
	want := map[string]float64{"rate": 300, "jobs": 10, "subscribers": 100, "fanout": 1}
	for k, v := range want {
		if totals[k] != v {
			t.Errorf("%s adds up to %v over 3 shards, want %v", k, totals[k], v)
		}
	}
}
