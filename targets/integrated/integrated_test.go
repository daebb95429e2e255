package integrated_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"versus/targets"
	"versus/targets/integrated"
	"versus/targets/stripesig"
)

const secret = "whsec_integrated_test"

func startTarget(t *testing.T, env targets.Env) targets.Instance {
	t.Helper()
	tg, err := targets.New(targets.Config{Name: "integrated"})
	if err != nil {
		t.Fatal(err)
	}
	if env.WebhookSecret == "" {
		env.WebhookSecret = secret
	}
	inst, err := tg.Start(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := inst.Close(); err != nil {
			t.Error(err)
		}
	})
	return inst
}

// call sends one contract request and decodes a 2xx answer into out.
func call(t *testing.T, inst targets.Instance, method, path string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, inst.URL()+path, r)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %s: %v", method, path, data, err)
		}
	}
	return resp.StatusCode
}

func deliver(t *testing.T, inst targets.Instance, id string) (int, bool) {
	t.Helper()
	body := []byte(fmt.Sprintf(`{"id":%q,"type":"charge.succeeded","created":%d,"data":{}}`, id, time.Now().Unix()))
	req, _ := http.NewRequest("POST", inst.URL()+"/webhooks/stripe", bytes.NewReader(body))
	req.Header.Set(stripesig.Header, stripesig.Sign([]byte(secret), time.Now(), body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, false
	}
	defer resp.Body.Close()
	var ans struct{ Duplicate bool }
	json.NewDecoder(resp.Body).Decode(&ans)
	return resp.StatusCode, ans.Duplicate
}

func meters(t *testing.T, inst targets.Instance) map[string]float64 {
	t.Helper()
	var m struct{ Units map[string]float64 }
	call(t, inst, "GET", "/meters", nil, &m)
	return m.Units
}

func TestIntegratedDiscovery(t *testing.T) {
	inst := startTarget(t, targets.Env{})
	var d targets.Discovery
	call(t, inst, "GET", "/contract", nil, &d)
	want := []string{"http", "items", "items.reads", "webhook", "schedule", "subscribe", "meters"}
	if d.Contract != 1 || d.Model != "integrated" || strings.Join(d.Capabilities, ",") != strings.Join(want, ",") ||
		strings.Join(d.ScheduleVia, ",") != "runafter,cron" {
		t.Fatalf("discovery %+v", d)
	}
	if inst.Discovery().Model != "integrated" {
		t.Fatalf("Instance.Discovery %+v", inst.Discovery())
	}
}

func TestIntegratedItemsKeepVersions(t *testing.T) {
	inst := startTarget(t, targets.Env{})
	for want := int64(1); want <= 3; want++ {
		var put struct{ Version int64 }
		if code := call(t, inst, "PUT", "/items/k1", map[string]any{"value": map[string]int64{"n": want}}, &put); code != 200 || put.Version != want {
			t.Fatalf("put %d: status %d version %d", want, code, put.Version)
		}
	}
	var got struct {
		ID      string
		Value   json.RawMessage
		Version int64
	}
	if code := call(t, inst, "GET", "/items/k1?reads=10", nil, &got); code != 200 || got.Version != 3 || string(got.Value) != `{"n":3}` {
		t.Fatalf("get: status %d item %+v value %s", code, got, got.Value)
	}
	if code := call(t, inst, "GET", "/items/nope", nil, nil); code != 404 {
		t.Fatalf("unknown item: status %d, want 404", code)
	}
}

func TestIntegratedStoresEachWebhookEventOnce(t *testing.T) {
	inst := startTarget(t, targets.Env{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	fresh := 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, dup := deliver(t, inst, "evt_race")
			if code != 200 {
				t.Errorf("status %d", code)
			}
			if !dup {
				mu.Lock()
				fresh++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if fresh != 1 {
		t.Fatalf("%d deliveries of one id answered duplicate=false, want 1", fresh)
	}
	var check struct{ Counts map[string]int64 }
	call(t, inst, "POST", "/webhooks/events/check", map[string]any{"ids": []string{"evt_race", "evt_none"}}, &check)
	if check.Counts["evt_race"] != 1 || check.Counts["evt_none"] != 0 {
		t.Fatalf("counts %v", check.Counts)
	}
}

func subscribe(t *testing.T, inst targets.Instance, channel string) chan targets.Message {
	t.Helper()
	got := make(chan targets.Message, 100)
	sub, err := targets.SubscriberFor(inst).Subscribe(context.Background(), channel, func(m targets.Message) { got <- m })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Close() })
	return got
}

func next(t *testing.T, got chan targets.Message, within time.Duration) targets.Message {
	t.Helper()
	select {
	case m := <-got:
		return m
	case <-time.After(within):
		t.Fatalf("no message within %v", within)
		return targets.Message{}
	}
}

func TestIntegratedPushesCommittedMessagesToSubscribers(t *testing.T) {
	inst := startTarget(t, targets.Env{})
	a, b := subscribe(t, inst, "room"), subscribe(t, inst, "room")
	pub := targets.PublisherFor(inst, nil)
	for i := 1; i <= 30; i++ {
		ack, err := pub.Publish(context.Background(), "room", json.RawMessage(fmt.Sprint(i)))
		if err != nil || ack.Seq != int64(i) {
			t.Fatalf("publish %d: ack %+v, %v", i, ack, err)
		}
	}
	for _, got := range []chan targets.Message{a, b} {
		for i := int64(1); i <= 30; i++ {
			m := next(t, got, 5*time.Second)
			if m.Seq != i || string(m.Payload) != fmt.Sprint(i) || m.CommittedAt == 0 {
				t.Fatalf("message %+v, want seq %d", m, i)
			}
		}
	}
}

func TestIntegratedJobsFireOnceAndAnnounceThemselves(t *testing.T) {
	cases := []struct {
		name string
		via  string
	}{
		{"a runAfter job fires on its timer", "runafter"},
		{"a job by default is a runAfter job", ""},
		{"a cron job fires on the next cron run", "cron"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inst := startTarget(t, targets.Env{CronPeriod: 50 * time.Millisecond})
			jobs := subscribe(t, inst, "jobs")
			id := fmt.Sprintf("job_%d", i)
			var sched struct {
				ID           string
				ScheduledFor float64 `json:"scheduled_for"`
			}
			if code := call(t, inst, "POST", "/jobs", map[string]any{"id": id, "delay_ms": 100, "via": c.via}, &sched); code != 202 || sched.ID != id {
				t.Fatalf("schedule: status %d %+v", code, sched)
			}
			m := next(t, jobs, 5*time.Second)
			var note struct {
				Job          string
				ScheduledFor float64 `json:"scheduled_for"`
				FiredAt      float64 `json:"fired_at"`
			}
			json.Unmarshal(m.Payload, &note)
			if note.Job != id || note.ScheduledFor != sched.ScheduledFor || note.FiredAt < note.ScheduledFor {
				t.Fatalf("notification %s for scheduled_for %v", m.Payload, sched.ScheduledFor)
			}
			var job struct {
				FiredAt *float64 `json:"fired_at"`
				Runs    int64
			}
			call(t, inst, "GET", "/jobs/"+id, nil, &job)
			if job.Runs != 1 || job.FiredAt == nil || *job.FiredAt != note.FiredAt {
				t.Fatalf("job after firing: runs %d fired_at %v", job.Runs, job.FiredAt)
			}
			if code := call(t, inst, "POST", "/jobs", map[string]any{"id": id, "delay_ms": 0}, nil); code != 400 {
				t.Fatalf("rescheduling a used id: status %d, want 400", code)
			}
		})
	}
}

func TestIntegratedSchedulerFiresEarlierJobsFirst(t *testing.T) {
	inst := startTarget(t, targets.Env{})
	jobs := subscribe(t, inst, "jobs")
	// The later job is committed first: the earlier one must reset the timer.
	call(t, inst, "POST", "/jobs", map[string]any{"id": "late", "delay_ms": 400}, nil)
	call(t, inst, "POST", "/jobs", map[string]any{"id": "early", "delay_ms": 50}, nil)
	for _, want := range []string{"early", "late"} {
		m := next(t, jobs, 5*time.Second)
		if !strings.Contains(string(m.Payload), `"job":"`+want+`"`) {
			t.Fatalf("fired %s, want %s", m.Payload, want)
		}
	}
}

func TestIntegratedMetersCountConvexUnits(t *testing.T) {
	inst := startTarget(t, targets.Env{})
	calls := func() float64 { return meters(t, inst)["convex_function_calls"] }
	cases := []struct {
		name string
		op   func()
		want float64
	}{
		{"a put is an HTTP action and a mutation", func() { call(t, inst, "PUT", "/items/m", map[string]any{"value": 1}, nil) }, 2},
		{"a get is an HTTP action and a query", func() { call(t, inst, "GET", "/items/m?reads=5", nil, nil) }, 2},
		{"a webhook is an HTTP action and a mutation", func() { deliver(t, inst, "evt_m") }, 2},
		{"a health check is an HTTP action", func() { call(t, inst, "GET", "/health", nil, nil) }, 1},
		{"a subscription runs its query once", func() { subscribe(t, inst, "metered"); subscribe(t, inst, "metered") }, 2},
		{"a publish adds one call per subscriber push", func() {
			got := subscribe(t, inst, "metered2")
			call(t, inst, "POST", "/channels/metered2/messages", map[string]any{"payload": 1}, nil)
			next(t, got, 5*time.Second)
		}, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := calls()
			c.op()
			if got := calls() - before; got != c.want {
				t.Fatalf("%v function calls, want %v", got, c.want)
			}
		})
	}
	u := meters(t, inst)
	if u["convex_db_bytes_written"] <= 0 || u["convex_db_bytes_read"] <= 0 || u["convex_action_gb_hours"] <= 0 {
		t.Fatalf("byte and compute meters did not move: %v", u)
	}
}

func TestIntegratedKeepsStateAndJobsAcrossARestart(t *testing.T) {
	dir := t.TempDir()
	tg, _ := integrated.New(targets.Config{Name: "integrated"})
	env := targets.Env{WebhookSecret: secret, DataDir: dir}
	first, err := tg.Start(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	call(t, first, "PUT", "/items/kept", map[string]any{"value": "v"}, nil)
	deliver(t, first, "evt_kept")
	call(t, first, "POST", "/jobs", map[string]any{"id": "job_after", "delay_ms": 300}, nil)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond) // the job falls due while nothing runs

	second := startTarget(t, env)
	var item struct{ Version int64 }
	if code := call(t, second, "GET", "/items/kept", nil, &item); code != 200 || item.Version != 1 {
		t.Fatalf("item after restart: status %d version %d", code, item.Version)
	}
	if _, dup := deliver(t, second, "evt_kept"); !dup {
		t.Fatal("an event stored before the restart was stored again")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var job struct{ Runs int64 }
		call(t, second, "GET", "/jobs/job_after", nil, &job)
		if job.Runs == 1 {
			break
		}
		if job.Runs > 1 || time.Now().After(deadline) {
			t.Fatalf("overdue job after restart: runs %d, want 1", job.Runs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestIntegratedRefusesToStartWithoutASecret(t *testing.T) {
	tg, _ := integrated.New(targets.Config{Name: "integrated"})
	// startTarget fills the secret in; call Start directly with none.
	if _, err := tg.Start(context.Background(), targets.Env{}); err == nil || !strings.Contains(err.Error(), "VERSUS_WEBHOOK_SECRET") {
		t.Fatalf("err = %v", err)
	}
}

func TestNewRejectsBadFields(t *testing.T) {
	cases := []struct {
		name    string
		options map[string]string
		want    string
	}{
		{"a cron period that is not a duration", map[string]string{"cron_period": "soon"}, "cron_period"},
		{"a negative cron period", map[string]string{"cron_period": "-1s"}, "cron_period"},
		{"an unknown field", map[string]string{"colour": "blue"}, `unknown field "colour"`},
		{"a url", map[string]string{"url": "http://127.0.0.1:1"}, "takes no url"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := targets.Config{Name: "x", Kind: "integrated", Options: c.options}
			if u, ok := c.options["url"]; ok {
				cfg.URL, cfg.Options = u, nil
			}
			_, err := integrated.New(cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %s", err, c.want)
			}
		})
	}
}
