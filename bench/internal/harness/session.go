package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Session owns a temporary directory, the versus binary built into it,
// and every child process started through it.
type Session struct {
	// Bin is the path of the versus binary.
	Bin string
	// Dir is the temporary directory; Close removes it.
	Dir string

	mu       sync.Mutex
	children map[*exec.Cmd]bool
	seq      int
}

// Interruptible returns a context that ends on Ctrl-C or SIGTERM, so a
// bench program stops its children and cleans up instead of dying mid-run.
func Interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// Open builds the versus binary of the module in the working directory
// (or above it) into a new temporary directory.
func Open(ctx context.Context) (*Session, error) {
	module, err := moduleDir(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "versus-bench-")
	if err != nil {
		return nil, fmt.Errorf("create a temporary directory: %w", err)
	}
	s := &Session{Bin: filepath.Join(dir, "versus"), Dir: dir, children: map[*exec.Cmd]bool{}}
	build := exec.CommandContext(ctx, "go", "build", "-o", s.Bin, ".")
	build.Dir = module
	if out, err := build.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("build versus in %s: %w\n%s", module, err, out)
	}
	return s, nil
}

// moduleDir finds the root of the versus module, so the programs work
// from any directory inside it (`go run ./bench/NAME` from the root).
func moduleDir(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w (is Go installed?)", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside the versus module: run this from /work/main (or any folder of the module)")
	}
	return filepath.Dir(mod), nil
}

// TempPath returns a fresh path inside the session directory.
func (s *Session) TempPath(prefix string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return filepath.Join(s.Dir, fmt.Sprintf("%s-%d", prefix, s.seq))
}

// Command prepares a child process of the session: in a process group of
// its own (so a terminal's Ctrl-C reaches only this program, which then
// stops the children in order) and killed by the kernel if this program
// dies. ctx ending kills it.
func (s *Session) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// Start starts cmd and tracks it until Wait.
func (s *Session) Start(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	s.mu.Lock()
	s.children[cmd] = true
	s.mu.Unlock()
	return nil
}

// Wait waits for a child started with Start and forgets it.
func (s *Session) Wait(cmd *exec.Cmd) error {
	err := cmd.Wait()
	s.mu.Lock()
	delete(s.children, cmd)
	s.mu.Unlock()
	return err
}

// Close kills every child still running, waits for them, and removes the
// temporary directory.
func (s *Session) Close() {
	s.mu.Lock()
	var left []*exec.Cmd
	for cmd := range s.children {
		left = append(left, cmd)
	}
	s.mu.Unlock()
	for _, cmd := range left {
		_ = cmd.Process.Kill()
		_ = s.Wait(cmd)
	}
	os.RemoveAll(s.Dir)
}

// PeakRSSKB is the peak resident set size of a finished child, in KB
// (Linux reports ru_maxrss in kilobytes).
func PeakRSSKB(cmd *exec.Cmd) int64 {
	if cmd.ProcessState == nil {
		return 0
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	return ru.Maxrss
}
