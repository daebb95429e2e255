package conformance

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"versus/targets"
)

// brokenServer speaks contract v1 badly: it declares contract 2, stores
// every webhook delivery without looking at its signature, puts no bound
// on check requests, and serves /meters without declaring meters.
func brokenServer(t *testing.T) *httptest.Server {
	var mu sync.Mutex
	stored := map[string]int64{}
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /contract", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, 200, map[string]any{"contract": 2, "name": "broken", "model": "other", "capabilities": []string{"http", "webhook"}})
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { reply(w, 200, map[string]bool{"ok": true}) })
	mux.HandleFunc("GET /meters", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, 200, map[string]any{"since": 0, "units": map[string]float64{}})
	})
	mux.HandleFunc("POST /webhooks/stripe", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var e struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(body, &e) != nil {
			reply(w, 400, map[string]string{"error": "malformed JSON"})
			return
		}
		mu.Lock()
		defer mu.Unlock()
		stored[e.ID]++
		reply(w, 200, map[string]bool{"received": true, "duplicate": stored[e.ID] > 1})
	})
	mux.HandleFunc("POST /webhooks/events/check", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			IDs []string `json:"ids"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		defer mu.Unlock()
		counts := map[string]int64{}
		for _, id := range req.IDs {
			counts[id] = min(stored[id], 1) // one row per id, as a unique key would keep
		}
		reply(w, 200, map[string]any{"counts": counts})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestVerifyCatchesABrokenTarget(t *testing.T) {
	inst, err := AtURL(brokenServer(t).URL)
	if err != nil {
		t.Fatal(err)
	}
	r := Verify(context.Background(), inst, []byte(testSecret), Options{})
	cases := []struct {
		capability, check string
		want              Status
	}{
		{capabilityDiscovery, "contract is 1", Fail},
		{capabilityDiscovery, "model is edge, integrated or other", Pass},
		{targets.CapHTTP, "answers 200", Pass},
		{targets.CapWebhook, "accepts a valid delivery", Pass},
		{targets.CapWebhook, "counts exactly 1 row", Pass},
		{targets.CapWebhook, "refuses a forged signature", Fail},
		{targets.CapWebhook, "refuses a timestamp older than 300 s", Fail},
		{targets.CapWebhook, "refuses a delivery without Stripe-Signature", Fail},
		{targets.CapWebhook, "refuses malformed JSON with a valid signature", Pass},
		{targets.CapWebhook, "refuses more than 1000 ids", Fail},
		{targets.CapItems, "answers 404 or 501", Pass},
		{targets.CapItemsReads, "performs N reads", Skip},
		{targets.CapSchedule, "answers 404 or 501", Pass},
		{targets.CapSubscribe, "answers 404 or 501", Pass},
		{targets.CapMeters, "answers 404 or 501", Fail},
	}
	for _, c := range cases {
		t.Run(c.capability+" "+c.check+" is "+c.want.String(), func(t *testing.T) {
			if got := find(t, r, c.capability, c.check); got.Status != c.want {
				t.Errorf("got %s %q", got.Status, got.Reason)
			}
		})
	}
	if r.OK() {
		t.Errorf("a broken target verified:\n%s", written(t, r))
	}
}

func TestVerifyStopsAtAnUnreachableTarget(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	inst, err := AtURL(url)
	if err != nil {
		t.Fatal(err)
	}
	r := Verify(context.Background(), inst, []byte(testSecret), Options{})
	if len(r.Checks) != 1 || r.Checks[0].Status != Fail {
		t.Fatalf("want one failed discovery check, got:\n%s", written(t, r))
	}
	if r.OK() {
		t.Error("an unreachable target verified")
	}
}

func TestVerifyStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	inst, err := AtURL(brokenServer(t).URL)
	if err != nil {
		t.Fatal(err)
	}
	r := Verify(ctx, inst, []byte(testSecret), Options{})
	for _, c := range r.Checks {
		if c.Status == Pass {
			t.Errorf("check %s %q passed after the run was cancelled", c.Capability, c.Name)
		}
	}
	if r.OK() {
		t.Error("a cancelled run verified the target")
	}
}
