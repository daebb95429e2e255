package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"versus/targets"
)

const testSecret = "whsec_test_secret"

// quickQueue batches like production but waits only 300 ms for a batch to
// fill, so a lone message is delivered quickly in tests.
var quickQueue = queueConfig{maxBatchSize: 10, maxBatchTimeout: 300 * time.Millisecond, maxRetries: 3}

// startEdge starts an edge model for one test and closes it at the end.
func startEdge(t *testing.T, tg *Target, env targets.Env) targets.Instance {
	t.Helper()
	if env.WebhookSecret == "" {
		env.WebhookSecret = testSecret
	}
	if env.Log == nil {
		env.Log = testLog{t}
	}
	inst, err := tg.Start(context.Background(), env)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := inst.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return inst
}

func quickTarget(cronPeriod time.Duration) *Target {
	return &Target{cronPeriod: cronPeriod, queue: quickQueue}
}

// testLog sends the target's log lines to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// call sends a JSON request and decodes a JSON answer into out (if not nil).
func call(t *testing.T, method, url string, in, out any) int {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, url, raw, err)
		}
	}
	return resp.StatusCode
}

// subscribe opens a contract WebSocket on channel and returns its frames.
func subscribe(t *testing.T, base, channel string) (<-chan targets.Message, *websocket.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/channels/"+channel+"/subscribe", nil)
	if err != nil {
		t.Fatalf("subscribe to %s: %v", channel, err)
	}
	t.Cleanup(func() { c.CloseNow() })
	out := make(chan targets.Message, 1024)
	go func() {
		defer close(out)
		for {
			_, b, err := c.Read(context.Background())
			if err != nil {
				return
			}
			var m targets.Message
			if json.Unmarshal(b, &m) == nil {
				out <- m
			}
		}
	}()
	return out, c
}

// jobsFired collects the announcements of want jobs on channel jobs, or
// fails after timeout.
func jobsFired(t *testing.T, frames <-chan targets.Message, want int, timeout time.Duration) map[string][]announcement {
	t.Helper()
	got := map[string][]announcement{}
	deadline := time.After(timeout)
	for n := 0; n < want; {
		select {
		case m, ok := <-frames:
			if !ok {
				t.Fatalf("jobs subscription ended after %d of %d announcements", n, want)
			}
			var a announcement
			if err := json.Unmarshal(m.Payload, &a); err != nil {
				t.Fatalf("announcement %s: %v", m.Payload, err)
			}
			got[a.Job] = append(got[a.Job], a)
			n++
		case <-deadline:
			t.Fatalf("%d of %d jobs announced within %s: %v", n, want, timeout, got)
		}
	}
	return got
}

type announcement struct {
	Job          string  `json:"job"`
	ScheduledFor float64 `json:"scheduled_for"`
	FiredAt      float64 `json:"fired_at"`
}

type jobView struct {
	ID           string   `json:"id"`
	ScheduledFor float64  `json:"scheduled_for"`
	FiredAt      *float64 `json:"fired_at"`
	Runs         int64    `json:"runs"`
}

func checkJobs(t *testing.T, base string, ids ...string) map[string]jobView {
	t.Helper()
	var out struct {
		Jobs []jobView `json:"jobs"`
	}
	if code := call(t, http.MethodPost, base+"/jobs/check", map[string]any{"ids": ids}, &out); code != http.StatusOK {
		t.Fatalf("POST /jobs/check: HTTP %d", code)
	}
	m := map[string]jobView{}
	for _, j := range out.Jobs {
		m[j.ID] = j
	}
	return m
}

func meterUnits(t *testing.T, base string) map[string]float64 {
	t.Helper()
	var out struct {
		Units map[string]float64 `json:"units"`
	}
	if code := call(t, http.MethodGet, base+"/meters", nil, &out); code != http.StatusOK {
		t.Fatalf("GET /meters: HTTP %d", code)
	}
	return out.Units
}

// waitMeter waits until unit reaches want: a meter may be counted just
// after the effect a test sees (a queue deletes a message once its
// consumer has returned).
func waitMeter(t *testing.T, base, unit string, want float64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := meterUnits(t, base)[unit]
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v, want %v", unit, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
