package convex

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"versus/targets"
	"versus/targets/convex/convexfake"
)

func TestNewValidatesTheSuiteEntry(t *testing.T) {
	good := map[string]string{"site_url": "https://happy-otter-123.convex.site"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range good {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	const cloud = "https://happy-otter-123.convex.cloud"
	cases := []struct {
		name    string
		url     string
		options map[string]string
		err     string // substring; "" means valid
	}{
		{"a cloud url and a site url are enough", cloud, good, ""},
		{"a local backend over http is fine", "http://127.0.0.1:3210", with("site_url", "http://127.0.0.1:3211"), ""},
		{"every field may be set", cloud, with("deploy_key_env", "CONVEX_DEPLOY_KEY", "secret_env", "MY_SECRET", "publish_via", "mutation"), ""},
		{"a missing url is named", "", good, "field url is required"},
		{"a missing site_url is named", cloud, map[string]string{}, "field site_url is required"},
		{"swapped origins are spotted", "https://happy-otter-123.convex.site", with("site_url", cloud), "look swapped"},
		{"a url with a path is refused", cloud + "/api", good, "not an origin"},
		{"a url without a scheme is refused", "happy-otter-123.convex.cloud", good, "not an origin"},
		{"a typo'd field is named", cloud, with("site-url", "x"), `unknown field "site-url"`},
		{"a secret pasted as secret_env is refused without echoing it", cloud, with("secret_env", "whsec_eyJ2ZXJzaW9u+IjoidjEi=="), "not an environment variable name"},
		{"a key pasted as deploy_key_env is refused without echoing it", cloud, with("deploy_key_env", "prod:happy-otter-123|eyJ2ZXJzaW9uIjoidjEi"), "not an environment variable name"},
		{"an unknown publish path is refused", cloud, with("publish_via", "carrier-pigeon"), "publish_via"},
		{"a latest_limit within the app's bound is fine", cloud, with("latest_limit", "100"), ""},
		{"a latest_limit past the app's bound is refused", cloud, with("latest_limit", "500"), "from 1 to 100"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(targets.Config{Name: "cx", Kind: "convex", URL: tc.url, Options: tc.options})
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("error = %v, want one mentioning %q", err, tc.err)
			case err != nil && strings.Contains(err.Error(), "eyJ2ZXJzaW9u"):
				t.Fatalf("the error echoes a secret: %v", err)
			}
		})
	}
}

func TestKindIsRegistered(t *testing.T) {
	k, ok := targets.Lookup("convex")
	if !ok || k.Builtin {
		t.Fatalf("kind convex: registered %v, builtin %v; want a registered, non-builtin kind", ok, k.Builtin)
	}
	if _, err := targets.New(targets.Config{Name: "convex"}); err == nil {
		t.Fatal("convex named alone (without fields) was accepted")
	}
	for _, f := range []string{"url", "site_url", "deploy_key_env", "secret_env", "publish_via", "latest_limit"} {
		if k.Fields[f] == "" {
			t.Errorf("field %s has no help line", f)
		}
	}
}

// start starts the adapter against a fake deployment.
func start(t *testing.T, f *convexfake.Server, options map[string]string) (*Instance, error) {
	t.Helper()
	opts := map[string]string{"site_url": f.SiteURL()}
	for k, v := range options {
		opts[k] = v
	}
	target, err := New(targets.Config{Name: "cx", Kind: "convex", URL: f.URL(), Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	inst, err := target.Start(ctx, targets.Env{})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { inst.Close() })
	return inst.(*Instance), nil
}

func TestStartChecksTheDeployment(t *testing.T) {
	t.Run("a deployment without the app gets the deploy command", func(t *testing.T) {
		_, err := start(t, startFake(t, convexfake.WithoutApp()), nil)
		if err == nil || !strings.Contains(err.Error(), "npx convex deploy") || !strings.Contains(err.Error(), "targets/convex/app") {
			t.Fatalf("err = %v, want the deploy instruction", err)
		}
	})
	t.Run("a rejected deploy key is named by its variable, never shown", func(t *testing.T) {
		const key = "prod:happy-otter-123|d3pl0y-s3cret"
		t.Setenv("TEST_CONVEX_KEY", key)
		_, err := start(t, startFake(t, convexfake.WithAdminKey("prod:other|key")), map[string]string{"deploy_key_env": "TEST_CONVEX_KEY"})
		if err == nil || !strings.Contains(err.Error(), "TEST_CONVEX_KEY") || !strings.Contains(err.Error(), "rejected the deploy key") {
			t.Fatalf("err = %v, want the rejected key's variable named", err)
		}
		if strings.Contains(err.Error(), "d3pl0y-s3cret") {
			t.Fatalf("the error shows the key: %v", err)
		}
	})
	t.Run("an unset deploy key variable is named", func(t *testing.T) {
		t.Setenv("TEST_CONVEX_KEY", "")
		_, err := start(t, startFake(t), map[string]string{"deploy_key_env": "TEST_CONVEX_KEY"})
		if err == nil || !strings.Contains(err.Error(), "TEST_CONVEX_KEY") || !strings.Contains(err.Error(), "empty or unset") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a site_url that serves no contract is called out", func(t *testing.T) {
		f := startFake(t)
		_, err := start(t, f, map[string]string{"site_url": f.URL()})
		if err == nil || !strings.Contains(err.Error(), "/contract answered 404") || !strings.Contains(err.Error(), "site_url must be") {
			t.Fatalf("err = %v, want the site_url advice", err)
		}
	})
	t.Run("a url that does not speak the sync protocol is called out", func(t *testing.T) {
		f := startFake(t)
		target, err := New(targets.Config{Name: "cx", Kind: "convex", URL: f.SiteURL(), Options: map[string]string{"site_url": f.SiteURL()}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = target.Start(context.Background(), targets.Env{})
		if err == nil || !strings.Contains(err.Error(), "sync protocol") || !strings.Contains(err.Error(), "convex.cloud origin") {
			t.Fatalf("err = %v, want the url advice", err)
		}
	})
	t.Run("a good deployment starts with the app's discovery", func(t *testing.T) {
		t.Setenv("TEST_CONVEX_KEY", "prod:right|key")
		inst, err := start(t, startFake(t, convexfake.WithAdminKey("prod:right|key")), map[string]string{"deploy_key_env": "TEST_CONVEX_KEY"})
		if err != nil {
			t.Fatal(err)
		}
		if !inst.Discovery().Has(targets.CapSubscribe) || inst.Discovery().Model != targets.ModelIntegrated {
			t.Fatalf("discovery = %+v", inst.Discovery())
		}
	})
}

// collector receives a subscription's messages.
type collector struct {
	ch chan targets.Message
}

func (c collector) deliver(m targets.Message) { c.ch <- m }

func (c collector) next(t *testing.T) targets.Message {
	t.Helper()
	select {
	case m := <-c.ch:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5 s")
		return targets.Message{}
	}
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1))]
}

func TestSubscribePublishRoundTrip(t *testing.T) {
	const messages = 200
	for _, via := range []string{PublishViaHTTP, PublishViaMutation, PublishViaAPI} {
		t.Run("publishing via "+via+" reaches the subscriber in order", func(t *testing.T) {
			f := startFake(t)
			inst, err := start(t, f, map[string]string{"publish_via": via})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			// Committed before the subscription: must not be delivered.
			if _, err := inst.Publish(ctx, "chat", json.RawMessage(`"old"`)); err != nil {
				t.Fatal(err)
			}
			got := collector{ch: make(chan targets.Message, messages)}
			sub, err := inst.Subscribe(ctx, "chat", got.deliver)
			if err != nil {
				t.Fatal(err)
			}
			latencies := make([]time.Duration, 0, messages)
			for i := range messages {
				sent := time.Now()
				ack, err := inst.Publish(ctx, "chat", json.RawMessage(fmt.Sprintf(`{"i":%d}`, i)))
				if err != nil {
					t.Fatal(err)
				}
				m := got.next(t)
				if m.Seq != ack.Seq || m.Seq != int64(i+2) || m.Channel != "chat" || string(m.Payload) != fmt.Sprintf(`{"i":%d}`, i) {
					t.Fatalf("message %d: got %+v, ack %+v", i, m, ack)
				}
				if m.Received.Before(sent) {
					t.Fatalf("message %d received before it was sent", i)
				}
				latencies = append(latencies, m.Received.Sub(sent))
			}
			t.Logf("publish via %s -> delivery over %d messages: p50 %v, p99 %v", via, messages, percentile(latencies, 0.5), percentile(latencies, 0.99))
			sub.Close()
			select {
			case <-sub.Done():
			case <-time.After(time.Second):
				t.Fatal("Done did not close after Close")
			}
			if sub.Err() != nil {
				t.Fatalf("Err after Close = %v, want nil", sub.Err())
			}
		})
	}
}

func TestPublishTimedSeparatesAckFromVisibility(t *testing.T) {
	const messages = 50
	f := startFake(t)
	inst, err := start(t, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got := collector{ch: make(chan targets.Message, messages)}
	if _, err := inst.Subscribe(ctx, "timed", got.deliver); err != nil {
		t.Fatal(err)
	}
	var acks, visibles []time.Duration
	for i := range messages {
		sent := time.Now()
		ack, ackAt, visibleAt, err := inst.PublishTimed(ctx, "timed", json.RawMessage(`"x"`))
		if err != nil {
			t.Fatal(err)
		}
		if ack.Seq != int64(i+1) || ackAt.Before(sent) || visibleAt.Before(ackAt) {
			t.Fatalf("publish %d: ack %+v, sent %v, acknowledged %v, visible %v", i, ack, sent, ackAt, visibleAt)
		}
		if m := got.next(t); m.Seq != ack.Seq {
			t.Fatalf("subscriber got seq %d, want %d", m.Seq, ack.Seq)
		}
		acks = append(acks, ackAt.Sub(sent))
		visibles = append(visibles, visibleAt.Sub(sent))
	}
	t.Logf("timed publish over %d messages: ack p50 %v, visible p50 %v", messages, percentile(acks, 0.5), percentile(visibles, 0.5))
}

func TestConcurrentPublishersUseTheirOwnConnections(t *testing.T) {
	f := startFake(t)
	inst, err := start(t, f, map[string]string{"publish_via": PublishViaMutation})
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 25
	errs := make(chan error, workers)
	seqs := make(chan int64, workers*each)
	for range workers {
		go func() {
			for range each {
				ack, err := inst.Publish(context.Background(), "busy", json.RawMessage(`1`))
				if err != nil {
					errs <- err
					return
				}
				seqs <- ack.Seq
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	close(seqs)
	seen := map[int64]bool{}
	for s := range seqs {
		if seen[s] {
			t.Fatalf("seq %d acknowledged twice", s)
		}
		seen[s] = true
	}
	if len(seen) != workers*each {
		t.Fatalf("%d distinct seqs, want %d", len(seen), workers*each)
	}
}

func TestInstanceRefusesBadChannelsAndUseAfterClose(t *testing.T) {
	f := startFake(t)
	inst, err := start(t, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inst.Publish(context.Background(), "no spaces", json.RawMessage(`1`)); err == nil {
		t.Fatal("a channel name outside the contract's id rule was accepted")
	}
	inst.Close()
	if _, err := inst.Subscribe(context.Background(), "x", func(targets.Message) {}); err == nil {
		t.Fatal("Subscribe worked after Close")
	}
}

func TestLatestLimitBoundsWhatASubscriberRecovers(t *testing.T) {
	cases := []struct {
		name  string
		limit string // "" leaves the app's default
		want  int
	}{
		{"the app's default window recovers 20 messages", "", convexfake.DefaultLatest},
		{"latest_limit 100 recovers 100 messages", "100", 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := startFake(t)
			options := map[string]string{}
			if tc.limit != "" {
				options["latest_limit"] = tc.limit
			}
			inst, err := start(t, f, options)
			if err != nil {
				t.Fatal(err)
			}
			// Reconnecting takes at least 500 ms: longer than 150 publishes.
			inst.subscriberOptions = append(inst.subscriberOptions, WithBackoff(time.Second, 2*time.Second))
			got := collector{ch: make(chan targets.Message, 200)}
			sub, err := inst.Subscribe(context.Background(), "gap", got.deliver)
			if err != nil {
				t.Fatal(err)
			}
			// Stall the subscriber: its connection is down while 150 commit.
			s := sub.(*subscription)
			s.client.mu.Lock()
			conn := s.client.conn
			s.client.mu.Unlock()
			conn.ws.CloseNow()
			for i := range 150 {
				publishHTTP(t, f, "gap", fmt.Sprint(i))
			}
			if n := len(f.Connects()); n != 2 { // the preflight's and the subscriber's
				t.Fatalf("%d connects before the publishes ended: the subscriber came back too early for this test", n)
			}
			eventually(t, "the subscriber recovered what its window holds", func() bool { return len(got.ch) >= tc.want })
			time.Sleep(20 * time.Millisecond)
			if n := len(got.ch); n != tc.want {
				t.Fatalf("recovered %d messages, want %d", n, tc.want)
			}
			if first := <-got.ch; first.Seq != int64(150-tc.want+1) {
				t.Fatalf("first recovered seq %d, want %d", first.Seq, 150-tc.want+1)
			}
		})
	}
}
