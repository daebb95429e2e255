package crashtest

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// secretEnv is where `versus serve` reads the webhook secret (the
// scenarios package's DefaultSecretEnv, which targets may not import).
const secretEnv = "VERSUS_WEBHOOK_SECRET"

const (
	// readyWithin bounds the wait for a started server to answer /health.
	readyWithin = 15 * time.Second
	// stopWithin bounds the wait for a clean exit after SIGINT.
	stopWithin = 10 * time.Second
)

// Server is one `versus serve NAME` process.
type Server struct {
	// URL is the base of its contract routes, http://ADDR.
	URL string

	t      testing.TB
	name   string
	cmd    *exec.Cmd
	exited chan struct{} // closed once the process is gone
	err    error         // how it exited, set before exited closes
	// stderr is written by exec's copy until the process is gone, and
	// read only after exited closes.
	stderr    bytes.Buffer
	logStderr sync.Once
}

// Serve starts `versus serve name --addr addr --data data extraArgs...`
// with secret as its webhook secret, and returns once GET /health answers
// 200. Its stderr goes to the test log once the process is gone; one still
// running when the test ends is killed.
func Serve(t testing.TB, bin, name, addr, data, secret string, extraArgs ...string) *Server {
	t.Helper()
	args := append([]string{"serve", name, "--addr", addr, "--data", data}, extraArgs...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), secretEnv+"="+secret)
	s := &Server{URL: "http://" + addr, t: t, name: name, cmd: cmd, exited: make(chan struct{})}
	cmd.Stderr = &s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start versus serve %s: %v", name, err)
	}
	go func() {
		s.err = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		s.wait()
	})
	s.waitReady()
	return s
}

func (s *Server) waitReady() {
	s.t.Helper()
	deadline := time.Now().Add(readyWithin)
	for {
		resp, err := client.Get(s.URL + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-s.exited:
			s.wait()
			s.t.Fatalf("versus serve %s exited before answering on %s (%v); its stderr is above", s.name, s.URL, s.err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.cmd.Process.Kill()
			s.wait()
			s.t.Fatalf("versus serve %s did not answer GET /health on %s within %s (last: %v); its stderr is above", s.name, s.URL, readyWithin, err)
		}
	}
}

// Kill sends SIGKILL, as a crash would, and returns once the process is
// gone, with the time it was.
func (s *Server) Kill() time.Time {
	s.t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		s.t.Fatalf("kill -9 versus serve %s: %v", s.name, err)
	}
	<-s.exited
	gone := time.Now()
	s.wait()
	return gone
}

// Stop sends SIGINT and fails the test unless the process exits cleanly
// within stopWithin.
func (s *Server) Stop() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		s.t.Errorf("interrupt versus serve %s: %v", s.name, err)
		return
	}
	select {
	case <-s.exited:
		s.wait()
		if s.err != nil {
			s.t.Errorf("versus serve %s did not stop cleanly on SIGINT: %v", s.name, s.err)
		}
	case <-time.After(stopWithin):
		s.t.Errorf("versus serve %s still ran %s after SIGINT", s.name, stopWithin)
	}
}

// wait returns once the process is gone, having logged its stderr (once).
func (s *Server) wait() {
	<-s.exited
	s.logStderr.Do(func() {
		exit := "exited cleanly"
		if s.err != nil {
			exit = s.err.Error()
		}
		s.t.Logf("versus serve %s (%s), its stderr:\n%s", s.name, exit, strings.TrimRight(s.stderr.String(), "\n"))
	})
}
