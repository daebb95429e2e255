// Package null is the harness's floor: a target that answers GET /health
// and GET /contract from this process with precomputed bytes and touches
// nothing else, so what a run measures against it is the harness itself
// (pacing, client, loopback), the part of every other number that is not
// the target's.
package null

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"versus/targets"
)

func init() {
	targets.Register(targets.Kind{
		Name:    "null",
		Builtin: true,
		Summary: "the harness floor: GET /health and /contract answered in-process, no state",
		New:     New,
	})
}

// Target is the null target.
type Target struct{ name string }

// New builds the null target; it takes no fields.
func New(cfg targets.Config) (targets.Target, error) {
	name := cfg.Name
	if name == "" {
		name = "null"
	}
	if cfg.URL != "" || len(cfg.Options) > 0 {
		return nil, fmt.Errorf("target %s: null takes no fields", name)
	}
	return &Target{name: name}, nil
}

func (t *Target) discovery() targets.Discovery {
	return targets.Discovery{Contract: targets.ContractVersion, Name: t.name, Model: targets.ModelOther,
		Capabilities: []string{targets.CapHTTP}}
}

// Handler answers the two routes of the floor; everything else is 404.
func (t *Target) Handler() http.Handler {
	contract, _ := json.Marshal(t.discovery())
	health := []byte(`{"ok":true}`)
	contractLen, healthLen := strconv.Itoa(len(contract)), strconv.Itoa(len(health))
	notFound := []byte(`{"error":"the null target serves only GET /health and GET /contract"}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Headers are set by direct map writes with canonical keys: the
		// cheapest path net/http offers, since this is the floor.
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/health":
			h["Content-Length"] = []string{healthLen}
			w.Write(health)
		case r.Method == http.MethodGet && r.URL.Path == "/contract":
			h["Content-Length"] = []string{contractLen}
			w.Write(contract)
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write(notFound)
		}
	})
}

// Start serves the floor on a loopback port of this process.
func (t *Target) Start(ctx context.Context, env targets.Env) (targets.Instance, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("null: listen on loopback: %w", err)
	}
	inst := &instance{discovery: t.discovery(), url: "http://" + l.Addr().String(),
		server: &http.Server{Handler: t.Handler(), ReadHeaderTimeout: 10 * time.Second}}
	go inst.server.Serve(l)
	return inst, nil
}

// Serve serves the floor on addr until ctx is done (`versus serve null`).
func (t *Target) Serve(ctx context.Context, addr string, env targets.Env) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("null: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: t.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		return fmt.Errorf("null: serving %s: %w", addr, err)
	case <-ctx.Done():
	}
	closeServer(srv)
	return nil
}

type instance struct {
	discovery targets.Discovery
	url       string
	server    *http.Server
	once      sync.Once
}

func (i *instance) Discovery() targets.Discovery { return i.discovery }
func (i *instance) URL() string                  { return i.url }

func (i *instance) Close() error {
	i.once.Do(func() { closeServer(i.server) })
	return nil
}

// closeServer gives requests in flight a moment, then closes the rest: a
// client may hold a connection it dialled but never used, which Shutdown
// alone would wait out for seconds.
func closeServer(s *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if s.Shutdown(ctx) != nil {
		s.Close()
	}
}
