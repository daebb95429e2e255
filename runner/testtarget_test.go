package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"

	"versus/targets"
)

// testTarget is a target made of an http.Handler, for runner tests: the
// handler gets the run's webhook secret.
type testTarget struct {
	disc    targets.Discovery
	handler func(secret []byte) http.Handler

	mu     sync.Mutex
	secret string
}

func (t *testTarget) Start(ctx context.Context, env targets.Env) (targets.Instance, error) {
	t.mu.Lock()
	t.secret = env.WebhookSecret
	t.mu.Unlock()
	srv := httptest.NewServer(t.handler([]byte(env.WebhookSecret)))
	return &testInstance{srv: srv, disc: t.disc}, nil
}

type testInstance struct {
	srv  *httptest.Server
	disc targets.Discovery
}

func (i *testInstance) Discovery() targets.Discovery { return i.disc }
func (i *testInstance) URL() string                  { return i.srv.URL }
func (i *testInstance) Close() error                 { i.srv.Close(); return nil }

var registerOnce sync.Map

// registerTestTarget registers t under name once per test binary.
func registerTestTarget(name string, t *testTarget) {
	if _, loaded := registerOnce.LoadOrStore(name, t); loaded {
		return
	}
	targets.Register(targets.Kind{Name: name, Builtin: true, Summary: "runner test target",
		New: func(targets.Config) (targets.Target, error) {
			v, _ := registerOnce.Load(name)
			return v.(*testTarget), nil
		}})
}
