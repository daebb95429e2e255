package integrated

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"versus/targets"
	"versus/targets/internal/contractserver"
)

// node is one running integrated backend: store, subscription layer,
// scheduler, cron and the HTTP server in front of them.
type node struct {
	discovery targets.Discovery
	url       string
	db        *store
	reactive  *reactive
	server    *http.Server
	tempDir   string // removed on close; "" when the data is the user's

	stop      context.CancelFunc
	workers   sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// start opens the data in env.DataDir (or a temporary folder), starts the
// background work and serves contract v1 on l.
func start(name string, cronPeriod time.Duration, l net.Listener, env targets.Env) (*node, error) {
	if env.WebhookSecret == "" {
		return nil, errors.New("integrated: no webhook secret: the runner passes the run's secret; `versus serve` reads VERSUS_WEBHOOK_SECRET")
	}
	if env.CronPeriod > 0 {
		cronPeriod = env.CronPeriod
	}
	n := &node{discovery: targets.Discovery{
		Contract: targets.ContractVersion,
		Name:     name,
		Model:    targets.ModelIntegrated,
		Capabilities: []string{targets.CapHTTP, targets.CapItems, targets.CapItemsReads, targets.CapWebhook,
			targets.CapSchedule, targets.CapSubscribe, targets.CapMeters},
		ScheduleVia: []string{viaRunAfter, viaCron},
	}}
	dir := env.DataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "versus-integrated-")
		if err != nil {
			return nil, fmt.Errorf("integrated: create a temporary data folder: %w", err)
		}
		dir, n.tempDir = tmp, tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("integrated: data folder: %w", err)
	}
	db, err := openStore(dir)
	if err != nil {
		n.removeTemp()
		return nil, fmt.Errorf("integrated: %w", err)
	}
	n.db = db
	log := env.Log
	if log == nil {
		log = io.Discard
	}
	m := newMeters()
	n.reactive = newReactive(db, m, log)
	b := &backend{discovery: n.discovery, db: db, meters: m, reactive: n.reactive}
	sched := newScheduler(b, log)
	b.scheduler = sched

	ctx, stop := context.WithCancel(context.Background())
	n.stop = stop
	n.goWork(func() { n.reactive.run(ctx) })
	n.goWork(func() { sched.run(ctx) })
	n.goWork(func() { sched.runCron(ctx, cronPeriod) })

	h := contractserver.Handler(b, []byte(env.WebhookSecret), contractserver.WithLog(log))
	n.server = &http.Server{Handler: httpActions(h, m), ReadHeaderTimeout: 10 * time.Second}
	n.url = "http://" + l.Addr().String()
	n.goWork(func() {
		if err := n.server.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(log, "integrated: serving %s: %v\n", n.url, err)
		}
	})
	return n, nil
}

func (n *node) goWork(f func()) {
	n.workers.Add(1)
	go func() {
		defer n.workers.Done()
		f()
	}()
}

// httpActions counts each contract request as one Convex HTTP action: a
// function call billed as action compute for its duration. Discovery and
// meter reads are the harness's plumbing, and a subscription is a sync
// protocol session, not an action.
func httpActions(next http.Handler, m *meters) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/contract", r.URL.Path == "/meters", r.Header.Get("Upgrade") != "":
			next.ServeHTTP(w, r)
			return
		}
		began := time.Now()
		next.ServeHTTP(w, r)
		m.calls(1)
		m.action(time.Since(began))
	})
}

func (n *node) Discovery() targets.Discovery { return n.discovery }
func (n *node) URL() string                  { return n.url }

// Close stops serving, disconnects subscribers, stops the scheduler and
// closes the store; committed data stays in DataDir, a temporary folder is
// removed.
func (n *node) Close() error {
	n.closeOnce.Do(func() {
		shutdown(n.server)
		n.reactive.close()
		n.stop()
		n.workers.Wait()
		err := n.db.close()
		n.removeTemp()
		if err != nil {
			n.closeErr = fmt.Errorf("integrated: close: %w", err)
		}
	})
	return n.closeErr
}

// shutdown lets requests in flight finish, briefly: a client may hold a
// connection it dialled but never used, which Shutdown would otherwise wait
// out for seconds; after the grace period the rest are closed.
func shutdown(s *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if s.Shutdown(ctx) != nil {
		s.Close()
	}
}

// shutdownGrace is how long Close waits for requests in flight.
const shutdownGrace = time.Second

func (n *node) removeTemp() {
	if n.tempDir != "" {
		os.RemoveAll(n.tempDir)
	}
}
