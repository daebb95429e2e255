package edge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"versus/targets"
	"versus/targets/internal/contractserver"
)

// system is one running edge model: the Worker's listener, the cron
// dispatcher, and the state service behind the hop. It plays the
// platform: it invokes the Worker and bills each invocation.
type system struct {
	url       string
	stateAddr string // the state service's own address
	dir       string
	tempDir   bool
	log       *log.Logger

	meters *meters
	client *stateClient
	state  *stateService
	server *http.Server
	failed chan error // the Worker's listener stopped on its own

	stopCron    context.CancelFunc
	cronDone    chan struct{}
	invocations sync.WaitGroup // HTTP invocations, proxied WebSockets included

	closeOnce sync.Once
	closeErr  error
}

// start brings the model up with the Worker listening on addr.
func (t *Target) start(env targets.Env, addr string) (_ *system, err error) {
	logOut := env.Log
	if logOut == nil {
		logOut = io.Discard
	}
	s := &system{
		log:      log.New(logOut, "edge: ", log.LstdFlags|log.Lmicroseconds),
		meters:   newMeters(),
		failed:   make(chan error, 1),
		cronDone: make(chan struct{}),
		dir:      env.DataDir,
	}
	var undo []func()
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()
	if s.dir == "" {
		if s.dir, err = os.MkdirTemp("", "versus-edge-"); err != nil {
			return nil, fmt.Errorf("edge: create a temporary data folder: %w", err)
		}
		s.tempDir = true
		undo = append(undo, func() { os.RemoveAll(s.dir) })
	} else if err = os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, fmt.Errorf("edge: data folder: %w", err)
	}

	stateLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("edge: state service listener: %w", err)
	}
	undo = append(undo, func() { stateLn.Close() })
	s.stateAddr = stateLn.Addr().String()
	link := s.stateAddr
	if env.StateLink != nil {
		if link, err = env.StateLink(s.stateAddr); err != nil {
			return nil, fmt.Errorf("edge: link to the state service at %s: %w", s.stateAddr, err)
		}
	}
	s.client = newStateClient(link)
	w := newWorker(s.client, s.meters, s.log)

	if s.state, err = openStateService(s.dir, s.meters, s.log, t.queue, w.consume); err != nil {
		return nil, fmt.Errorf("edge: %w", err)
	}
	undo = append(undo, func() { s.state.close() })
	go s.state.serve(stateLn)
	if err = s.state.rearm(); err != nil {
		return nil, fmt.Errorf("edge: %w", err)
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("edge: listen on %s: %w", addr, err)
	}
	s.url = "http://" + ln.Addr().String()
	handler := contractserver.Handler(w, []byte(env.WebhookSecret), contractserver.WithLog(logLines{s.log}))
	s.server = &http.Server{Handler: s.invoke(handler), ReadHeaderTimeout: 10 * time.Second, ErrorLog: s.log}
	go func() {
		if err := s.server.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.failed <- fmt.Errorf("edge: serving %s: %w", s.url, err)
		}
	}()

	period := t.cronPeriod
	if env.CronPeriod > 0 {
		period = env.CronPeriod
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopCron = cancel
	go func() {
		defer close(s.cronDone)
		runCron(ctx, period, w.scheduled)
	}()
	return s, nil
}

// invoke bills and tracks each HTTP invocation of the Worker. The
// harness's own probes (discovery, meters) are not the workload and are
// not billed, as the integrated model does not bill them either.
func (s *system) invoke(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/meters" && r.URL.Path != "/contract" {
			s.meters.workerRequests.Add(1)
		}
		s.invocations.Add(1)
		defer s.invocations.Done()
		h.ServeHTTP(w, r)
	})
}

// close stops the cron dispatcher and the Worker's listener, then the
// state side (queue, alarms, relays and their sockets, databases), waits
// for every invocation, and removes a temporary data folder.
func (s *system) close() error {
	s.closeOnce.Do(func() {
		s.stopCron()
		<-s.cronDone
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if s.server.Shutdown(ctx) != nil {
			s.server.Close()
		}
		s.closeErr = s.state.close()
		s.invocations.Wait()
		s.client.close()
		if s.tempDir {
			s.closeErr = errors.Join(s.closeErr, os.RemoveAll(s.dir))
		}
	})
	return s.closeErr
}

// logLines adapts the logger to an io.Writer that may be written from many
// goroutines.
type logLines struct{ l *log.Logger }

func (w logLines) Write(p []byte) (int, error) {
	w.l.Print(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
