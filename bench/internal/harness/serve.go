package harness

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// serveReady bounds the wait for a served backend to answer GET /contract.
const serveReady = 20 * time.Second

// Server is an embedded backend running as its own `versus serve` process.
type Server struct {
	// Name is the backend (null, edge, integrated).
	Name string
	// URL is its base URL, http://127.0.0.1:PORT.
	URL string

	s      *Session
	cmd    *exec.Cmd
	stderr *tail
	exited chan struct{}
	err    error
}

// Serve starts `versus serve NAME` on a free loopback port and returns
// once GET /contract answers 200. A port another process grabbed between
// probing and binding is retried on a new one.
func (s *Session) Serve(ctx context.Context, name string) (*Server, error) {
	var last error
	for range 3 {
		srv, err := s.serveOnce(ctx, name)
		if err == nil {
			return srv, nil
		}
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, last
}

func (s *Session) serveOnce(ctx context.Context, name string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	srv := &Server{Name: name, URL: "http://" + addr, s: s, stderr: &tail{}, exited: make(chan struct{})}
	srv.cmd = s.versus(ctx, "serve", name, "--addr", addr, "--data", s.TempPath("data-"+name))
	srv.cmd.Stderr = srv.stderr
	if err := s.Start(srv.cmd); err != nil {
		return nil, fmt.Errorf("start versus serve %s: %w", name, err)
	}
	go func() {
		srv.err = s.Wait(srv.cmd)
		close(srv.exited)
	}()
	if err := srv.waitReady(ctx); err != nil {
		srv.Stop()
		return nil, err
	}
	return srv, nil
}

// freePort asks the kernel for a loopback port nobody listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls GET /contract until it answers 200, the child exits, or
// serveReady passes.
func (srv *Server) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(serveReady)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/contract", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-srv.exited:
			return fmt.Errorf("versus serve %s exited before answering GET /contract: %v\n%s", srv.Name, srv.err, srv.stderr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("versus serve %s did not answer GET %s/contract within %v\n%s", srv.Name, srv.URL, serveReady, srv.stderr)
}

// Stop asks the server to shut down (SIGTERM), kills it if it has not
// within 5 s, and returns its peak RSS in KB.
func (srv *Server) Stop() int64 {
	_ = srv.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-srv.exited:
	case <-time.After(5 * time.Second):
		_ = srv.cmd.Process.Kill()
		<-srv.exited
	}
	return PeakRSSKB(srv.cmd)
}

// Err says why the server exited, or is nil while it runs: a bench
// program checks it after a run so a crashed backend is not mistaken for
// a slow one.
func (srv *Server) Err() error {
	select {
	case <-srv.exited:
		return fmt.Errorf("versus serve %s exited (%v):\n%s", srv.Name, srv.err, srv.stderr)
	default:
		return nil
	}
}
