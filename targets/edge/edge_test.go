package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"versus/targets"
	"versus/targets/stripesig"
)

// countingLink is a StateLink that puts an HTTP proxy on the hop and counts
// the state calls crossing it, by path.
type countingLink struct {
	mu    sync.Mutex
	calls map[string]int
}

func (l *countingLink) link(t *testing.T) func(string) (string, error) {
	return func(upstream string) (string, error) {
		proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: upstream})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			l.mu.Lock()
			l.calls[r.URL.Path]++
			l.mu.Unlock()
			proxy.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		return strings.TrimPrefix(srv.URL, "http://"), nil
	}
}

func (l *countingLink) count(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[path]
}

func TestDiscovery(t *testing.T) {
	inst := startEdge(t, quickTarget(time.Hour), targets.Env{})
	var d targets.Discovery
	if code := call(t, http.MethodGet, inst.URL()+"/contract", nil, &d); code != http.StatusOK {
		t.Fatalf("GET /contract: HTTP %d", code)
	}
	if d.Contract != 1 || d.Name != "edge" || d.Model != targets.ModelEdge {
		t.Errorf("discovery = %+v, want contract 1, name edge, model edge", d)
	}
	for _, c := range []string{targets.CapHTTP, targets.CapItems, targets.CapItemsReads, targets.CapWebhook, targets.CapSchedule, targets.CapSubscribe, targets.CapMeters} {
		if !d.Has(c) {
			t.Errorf("capability %q missing from %v", c, d.Capabilities)
		}
	}
	if strings.Join(d.ScheduleVia, ",") != "alarm,cron,queue" {
		t.Errorf("schedule_via = %v, want alarm (default), cron, queue", d.ScheduleVia)
	}
	if !strings.HasPrefix(inst.URL(), "http://127.0.0.1:") {
		t.Errorf("URL %s is not on loopback", inst.URL())
	}
}

func TestItemsCrossTheHop(t *testing.T) {
	link := &countingLink{calls: map[string]int{}}
	inst := startEdge(t, quickTarget(time.Hour), targets.Env{StateLink: link.link(t)})
	base := inst.URL()

	t.Run("a put answers the version it committed", func(t *testing.T) {
		for want := int64(1); want <= 2; want++ {
			var out struct{ Version int64 }
			if code := call(t, http.MethodPut, base+"/items/a", map[string]any{"value": map[string]int{"n": int(want)}}, &out); code != http.StatusOK {
				t.Fatalf("PUT: HTTP %d", code)
			}
			if out.Version != want {
				t.Errorf("version = %d, want %d", out.Version, want)
			}
		}
	})
	t.Run("a get returns the last value", func(t *testing.T) {
		var out struct {
			Value   json.RawMessage
			Version int64
		}
		if code := call(t, http.MethodGet, base+"/items/a", nil, &out); code != http.StatusOK {
			t.Fatalf("GET: HTTP %d", code)
		}
		if string(out.Value) != `{"n":2}` || out.Version != 2 {
			t.Errorf("item = %s v%d, want {\"n\":2} v2", out.Value, out.Version)
		}
	})
	t.Run("a missing item is 404", func(t *testing.T) {
		if code := call(t, http.MethodGet, base+"/items/nope", nil, nil); code != http.StatusNotFound {
			t.Errorf("HTTP %d, want 404", code)
		}
	})
	for _, n := range []int{1, 3, 7} {
		t.Run(fmt.Sprintf("reads=%d makes %d state round trips", n, n), func(t *testing.T) {
			before := link.count("/d1/batch")
			if code := call(t, http.MethodGet, base+"/items/a?reads="+strconv.Itoa(n), nil, nil); code != http.StatusOK {
				t.Fatalf("GET: HTTP %d", code)
			}
			if got := link.count("/d1/batch") - before; got != n {
				t.Errorf("reads=%d made %d state calls", n, got)
			}
		})
	}
	t.Run("health touches no state", func(t *testing.T) {
		before := link.count("/d1/batch")
		if code := call(t, http.MethodGet, base+"/health", nil, nil); code != http.StatusOK {
			t.Fatalf("GET /health: HTTP %d", code)
		}
		if got := link.count("/d1/batch") - before; got != 0 {
			t.Errorf("/health made %d state calls", got)
		}
	})
}

func TestWebhooks(t *testing.T) {
	inst := startEdge(t, quickTarget(time.Hour), targets.Env{})
	base := inst.URL()
	deliver := func(id string, signedAt time.Time, secret string) (int, bool) {
		body := []byte(`{"id":"` + id + `","type":"invoice.paid","created":1,"data":{}}`)
		req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/stripe", strings.NewReader(string(body)))
		req.Header.Set(stripesig.Header, stripesig.Sign([]byte(secret), signedAt, body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Duplicate bool }
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out.Duplicate
	}
	tests := []struct {
		name      string
		id        string
		at        time.Time
		secret    string
		code      int
		duplicate bool
	}{
		{"a signed event is stored", "evt_1", time.Now(), testSecret, 200, false},
		{"a replay is acknowledged as a duplicate", "evt_1", time.Now(), testSecret, 200, true},
		{"a wrong secret is refused", "evt_2", time.Now(), "whsec_other", 400, false},
		{"a stale timestamp is refused", "evt_3", time.Now().Add(-10 * time.Minute), testSecret, 400, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, dup := deliver(tc.id, tc.at, tc.secret)
			if code != tc.code || dup != tc.duplicate {
				t.Errorf("HTTP %d duplicate=%v, want %d duplicate=%v", code, dup, tc.code, tc.duplicate)
			}
		})
	}
	t.Run("the check counts one row per stored id", func(t *testing.T) {
		var out struct{ Counts map[string]int64 }
		call(t, http.MethodPost, base+"/webhooks/events/check", map[string]any{"ids": []string{"evt_1", "evt_2", "evt_3"}}, &out)
		want := map[string]int64{"evt_1": 1, "evt_2": 0, "evt_3": 0}
		for id, n := range want {
			if out.Counts[id] != n {
				t.Errorf("count of %s = %d, want %d", id, out.Counts[id], n)
			}
		}
	})
	t.Run("the meters show one D1 row written", func(t *testing.T) {
		if u := meterUnits(t, base); u["d1_rows_written"] != 1 {
			t.Errorf("d1_rows_written = %v, want 1 (one stored event)", u["d1_rows_written"])
		}
	})
}

func TestChannels(t *testing.T) {
	inst := startEdge(t, quickTarget(time.Hour), targets.Env{})
	base := inst.URL()
	frames, conn := subscribe(t, base, "room")
	other, _ := subscribe(t, base, "room")

	t.Run("a publish answers its seq once committed", func(t *testing.T) {
		for want := int64(1); want <= 3; want++ {
			var ack targets.Ack
			if code := call(t, http.MethodPost, base+"/channels/room/messages", map[string]any{"payload": map[string]int64{"i": want}}, &ack); code != http.StatusOK {
				t.Fatalf("publish: HTTP %d", code)
			}
			if ack.Seq != want || ack.CommittedAt <= 0 {
				t.Errorf("ack = %+v, want seq %d with a commit time", ack, want)
			}
		}
	})
	t.Run("every subscriber gets every message in order", func(t *testing.T) {
		for _, ch := range []<-chan targets.Message{frames, other} {
			for want := int64(1); want <= 3; want++ {
				select {
				case m := <-ch:
					if m.Seq != want || m.Channel != "room" || string(m.Payload) != `{"i":`+strconv.Itoa(int(want))+`}` {
						t.Errorf("frame = %+v %s, want seq %d on room", m, m.Payload, want)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("message %d not delivered", want)
				}
			}
		}
	})
	t.Run("messages from a client are counted", func(t *testing.T) {
		for range 2 {
			if err := conn.Write(context.Background(), websocket.MessageText, []byte(`"hi"`)); err != nil {
				t.Fatal(err)
			}
		}
		waitMeter(t, base, "do_ws_messages_in", 2)
	})
	t.Run("the meters count upgrades and publishes", func(t *testing.T) {
		u := meterUnits(t, base)
		// 2 upgrades + 3 publishes reached the relay actor.
		if u["do_requests"] != 5 {
			t.Errorf("do_requests = %v, want 5", u["do_requests"])
		}
		if u["worker_requests"] < 5 {
			t.Errorf("worker_requests = %v, want at least the 2 upgrades and 3 publishes", u["worker_requests"])
		}
	})
	t.Run("closing the target ends the subscriptions", func(t *testing.T) {
		inst.Close()
		select {
		case _, ok := <-frames:
			for ok {
				_, ok = <-frames
			}
		case <-time.After(10 * time.Second):
			t.Fatal("subscription still open after Close")
		}
	})
}

func TestNewReadsCronPeriod(t *testing.T) {
	tests := []struct {
		name    string
		options map[string]string
		want    time.Duration
		errHas  string
	}{
		{"no field keeps the Cron Triggers minute", nil, time.Minute, ""},
		{"a Go duration sets the period", map[string]string{"cron_period": "1s"}, time.Second, ""},
		{"a bare number is refused", map[string]string{"cron_period": "5"}, 0, "not a Go duration"},
		{"a period below 10ms is refused", map[string]string{"cron_period": "1ms"}, 0, "too short"},
		{"a negative period is refused", map[string]string{"cron_period": "-1s"}, 0, "too short"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := New(targets.Config{Name: "edge", Options: tc.options})
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) || !strings.Contains(err.Error(), "cron_period") {
					t.Fatalf("err = %v, want one naming cron_period and saying %q", err, tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tg.(*Target).cronPeriod; got != tc.want {
				t.Errorf("period = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRegistered(t *testing.T) {
	k, ok := targets.Lookup("edge")
	if !ok || !k.Builtin || k.Fields["cron_period"] == "" {
		t.Fatalf("kind edge = %+v, %v; want a builtin kind documenting cron_period", k, ok)
	}
}

func TestServeStopsWithItsContext(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- quickTarget(time.Hour).Serve(ctx, addr, targets.Env{WebhookSecret: testSecret, DataDir: t.TempDir(), Log: testLog{t}})
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/health")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never answered on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve returned %v after its context ended", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve still running 10s after its context ended")
	}
}

func TestServeNeedsASecret(t *testing.T) {
	t.Setenv("VERSUS_WEBHOOK_SECRET", "")
	err := quickTarget(time.Hour).Serve(context.Background(), "127.0.0.1:0", targets.Env{DataDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "VERSUS_WEBHOOK_SECRET") {
		t.Errorf("err = %v, want one telling to set VERSUS_WEBHOOK_SECRET", err)
	}
}
