package harness

import (
	"context"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestSessionServesAndCleansUp builds the real binary, so it is skipped
// with -short.
func TestSessionServesAndCleansUp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds versus")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := s.Serve(ctx, "null")
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	t.Run("the served backend answers on its loopback URL", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/health")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET /health = %d, want 200", resp.StatusCode)
		}
	})
	pid := srv.cmd.Process.Pid
	s.Close()
	t.Run("Close kills a server still running", func(t *testing.T) {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("process %d still exists after Close", pid)
		}
	})
	t.Run("Close removes the temporary directory", func(t *testing.T) {
		if _, err := os.Stat(s.Dir); !os.IsNotExist(err) {
			t.Errorf("%s still exists after Close (stat: %v)", s.Dir, err)
		}
	})
	t.Run("a server that exited says so", func(t *testing.T) {
		if srv.Err() == nil {
			t.Error("Err() = nil for a killed server")
		}
	})
}
