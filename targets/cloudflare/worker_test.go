package cloudflare

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"versus/targets"
	"versus/targets/conformance"
	"versus/targets/stripesig"
)

// needWorker skips tests that run the Worker on wrangler's local runtime
// when they cannot or should not.
func needWorker(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts the Worker on wrangler's local runtime (several seconds): skipped with -short")
	}
	if _, err := findToolchain(context.Background()); err != nil {
		t.Skipf("cannot run the local Worker here: %v", err)
	}
}

// lockedBuffer is a log several goroutines write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLocalWorker(t *testing.T) {
	needWorker(t)
	tg, err := New(targets.Config{Name: "cloudflare"})
	if err != nil {
		t.Fatal(err)
	}
	log := &lockedBuffer{}
	ctx := context.Background()
	start := time.Now()
	inst, err := tg.Start(ctx, targets.Env{WebhookSecret: testSecret, CronPeriod: time.Second, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("local Worker ready in %v", time.Since(start).Round(time.Millisecond))
	local := inst.(*localInstance)
	closed := false
	defer func() {
		if !closed {
			inst.Close()
		}
	}()

	t.Run("it passes every check of contract v1", func(t *testing.T) {
		r := conformance.Verify(ctx, inst, []byte(testSecret), conformance.Options{CronWait: 5 * time.Second})
		if !r.OK() {
			var out strings.Builder
			r.Write(&out)
			t.Fatalf("the local Worker does not conform:\n%s\nits log:\n%s", out.String(), log.String())
		}
		passed, _, _ := r.Counts()
		t.Logf("%d conformance checks passed in %v", passed, r.Elapsed.Round(time.Millisecond))
	})

	t.Run("it refuses a forged webhook and stores nothing", func(t *testing.T) {
		body := fmt.Sprintf(`{"id":"evt_forged_%d","type":"charge.succeeded","data":{}}`, time.Now().UnixNano())
		req, _ := http.NewRequest(http.MethodPost, inst.URL()+"/webhooks/stripe", strings.NewReader(body))
		req.Header.Set(stripesig.Header, stripesig.Sign([]byte("whsec_attacker"), time.Now(), []byte(body)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a forged delivery got %s", resp.Status)
		}
	})

	t.Run("its log never shows the secret", func(t *testing.T) {
		if strings.Contains(log.String(), testSecret) {
			t.Fatalf("the secret is in the log:\n%s", log.String())
		}
	})

	t.Run("Close stops every process of its group and removes its state", func(t *testing.T) {
		closed = true
		if err := inst.Close(); err != nil {
			t.Fatal(err)
		}
		if err := inst.Close(); err != nil {
			t.Fatalf("a second Close: %v", err)
		}
		if _, err := os.Stat(local.stateDir); !os.IsNotExist(err) {
			t.Errorf("state folder %s left behind (%v)", local.stateDir, err)
		}
		assertGroupGone(t, local.cmd.Process.Pid, 0)
	})
}

func TestLocalWorkerThatCannotStartSaysWhy(t *testing.T) {
	needWorker(t)
	dir := t.TempDir()
	if err := unpack(dir); err != nil {
		t.Fatal(err)
	}
	// A project whose dependencies look installed but are not: serve.mjs
	// fails at its first import and the error must carry node's words.
	if err := os.MkdirAll(dir+"/node_modules", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/"+installedMarker, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	tg, err := New(targets.Config{Name: "cf", Kind: "cloudflare", Options: map[string]string{"worker_dir": dir}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tg.Start(context.Background(), targets.Env{WebhookSecret: testSecret})
	if err == nil {
		t.Fatal("started a Worker without its packages")
	}
	for _, want := range []string{"exited before it was ready", "wrangler"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), testSecret) {
		t.Errorf("error shows the secret")
	}
}
