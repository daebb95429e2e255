package runner

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"versus/scenarios"
	"versus/targets"
	"versus/targets/stripesig"

	_ "versus/targets/integrated"
)

// webhookServer is a small contract webhook endpoint whose faults are
// chosen by the test: drop every n-th new event after acknowledging it, or
// skip signature checks altogether.
type webhookServer struct {
	secret    []byte
	dropEvery int
	noChecks  bool

	mu      sync.Mutex
	stored  map[string]int
	lostIDs map[string]bool // acknowledged, never stored, and believed stored
	newSeen int
	dropped int
}

func (s *webhookServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/webhooks/stripe":
		body, _ := io.ReadAll(r.Body)
		if !s.noChecks && stripesig.Verify(s.secret, r.Header.Get(stripesig.Header), body, time.Now()) != nil {
			http.Error(w, `{"error":"bad signature"}`, 400)
			return
		}
		var ev struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(body, &ev) != nil || ev.ID == "" {
			http.Error(w, `{"error":"bad json"}`, 400)
			return
		}
		s.mu.Lock()
		dup := s.stored[ev.ID] > 0 || s.lostIDs[ev.ID]
		if !dup {
			s.newSeen++
			if s.dropEvery > 0 && s.newSeen%s.dropEvery == 0 {
				// Acknowledged, never stored: a replay of it is answered
				// as a duplicate, as a server that believes it stored it.
				s.dropped++
				s.lostIDs[ev.ID] = true
			} else {
				s.stored[ev.ID]++
			}
		}
		s.mu.Unlock()
		w.Write([]byte(`{"received":true,"duplicate":` + map[bool]string{true: "true", false: "false"}[dup] + `}`))
	case "/webhooks/events/check":
		var req struct {
			IDs []string `json:"ids"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		counts := map[string]int{}
		s.mu.Lock()
		for _, id := range req.IDs {
			counts[id] = s.stored[id]
		}
		s.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"counts": counts})
	default:
		http.NotFound(w, r)
	}
}

func webhookSuite(t *testing.T, target string) *scenarios.Suite {
	t.Helper()
	s, err := scenarios.Parse("t.yaml", []byte(`name: t
targets: [`+target+`]
scenarios:
  - {name: stripe, kind: webhook, rate: 400, duration: 1s, warmup: 200ms, invalid_signature: 0.05, stale_timestamp: 0.02, replay: 0.05, malformed_json: 0.02}
`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func counter(t *testing.T, dir, name string) int64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Counters []struct {
			Name  string `json:"name"`
			Value int64  `json:"value"`
		} `json:"counters"`
	}
	json.Unmarshal(b, &s)
	var v int64
	for _, c := range s.Counters {
		if c.Name == name {
			v += c.Value
		}
	}
	return v
}

func TestLostEqualsWhatTheTargetDropped(t *testing.T) {
	srv := &webhookServer{dropEvery: 50, stored: map[string]int{}, lostIDs: map[string]bool{}}
	tt := &testTarget{disc: targets.Discovery{Contract: 1, Name: "dropper", Model: "other", Capabilities: []string{"webhook"}},
		handler: func(secret []byte) http.Handler { srv.secret = secret; return srv }}
	registerTestTarget("dropper", tt)
	dir := t.TempDir()
	if _, err := Run(context.Background(), webhookSuite(t, "dropper"), Options{Dir: dir, RunID: "t"}); err != nil {
		t.Fatal(err)
	}
	lost := counter(t, dir, "lost")
	t.Logf("dropped %d, lost %d", srv.dropped, lost)
	if srv.dropped == 0 || lost != int64(srv.dropped) {
		t.Errorf("lost %d, want exactly the %d dropped", lost, srv.dropped)
	}
}

func TestATargetThatAcceptsForgeriesIsCaught(t *testing.T) {
	srv := &webhookServer{noChecks: true, stored: map[string]int{}, lostIDs: map[string]bool{}}
	tt := &testTarget{disc: targets.Discovery{Contract: 1, Name: "gullible", Model: "other", Capabilities: []string{"webhook"}},
		handler: func(secret []byte) http.Handler { srv.secret = secret; return srv }}
	registerTestTarget("gullible", tt)
	dir := t.TempDir()
	if _, err := Run(context.Background(), webhookSuite(t, "gullible"), Options{Dir: dir, RunID: "t"}); err != nil {
		t.Fatal(err)
	}
	if n := counter(t, dir, "accepted_invalid"); n == 0 {
		t.Error("accepted_invalid is 0 for a target that checks no signature")
	} else {
		t.Logf("accepted_invalid %d", n)
	}
}

// The secret reaches the target and nothing else: not results, not logs.
func TestTheSecretNeverReachesTheRunDirectory(t *testing.T) {
	var secret string
	inner, _ := targets.New(targets.Config{Name: "integrated"})
	spy := &secretSpy{Target: inner, got: &secret}
	targets.Register(targets.Kind{Name: "spy", Builtin: true, Summary: "records the secret",
		New: func(targets.Config) (targets.Target, error) { return spy, nil }})
	dir := t.TempDir()
	if _, err := Run(context.Background(), webhookSuite(t, "spy"), Options{Dir: dir, RunID: "t"}); err != nil {
		t.Fatal(err)
	}
	if len(secret) < 20 {
		t.Fatalf("the target got secret %q", secret)
	}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), secret) {
			t.Errorf("%s contains the webhook secret", p)
		}
		return nil
	})
	if counter(t, dir, "accepted") == 0 {
		t.Error("no delivery was accepted: the secret did not reach the target")
	}
}

type secretSpy struct {
	targets.Target
	got *string
}

func (s *secretSpy) Start(ctx context.Context, env targets.Env) (targets.Instance, error) {
	*s.got = env.WebhookSecret
	return s.Target.Start(ctx, env)
}
