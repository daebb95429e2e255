package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"versus/scenarios"
)

// Session owns a temporary directory, the versus binary built into it,
// and every child process started through it.
type Session struct {
	// Bin is the path of the versus binary.
	Bin string
	// Dir is the temporary directory; Close removes it.
	Dir string

	// secret signs webhooks between served backends and runs; random per
	// session and never printed.
	secret string

	mu       sync.Mutex
	children map[*exec.Cmd]*child
	seq      int
}

// child is a started process; one goroutine waits for it, so the owner's
// Wait and Close never wait twice on one exec.Cmd.
type child struct {
	done chan struct{}
	err  error
}

// Interruptible returns a context that ends on Ctrl-C or SIGTERM, so a
// bench program stops its children and cleans up instead of dying mid-run.
func Interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// Main runs a bench program's body with Ctrl-C handling, and on an error
// prints it after the program's name and exits 1.
func Main(name string, body func(ctx context.Context) error) {
	ctx, stop := Interruptible()
	err := body(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
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
	key := make([]byte, 24)
	if _, err := rand.Read(key); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("make a webhook secret: %w", err)
	}
	s := &Session{Bin: filepath.Join(dir, "versus"), Dir: dir, secret: "whsec_" + hex.EncodeToString(key),
		children: map[*exec.Cmd]*child{}}
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

// versus prepares a versus child: a served backend and a run against it
// must share the webhook secret, which travels in the environment only.
func (s *Session) versus(ctx context.Context, args ...string) *exec.Cmd {
	cmd := s.Command(ctx, s.Bin, args...)
	cmd.Env = append(os.Environ(), scenarios.DefaultSecretEnv+"="+s.secret)
	return cmd
}

// Start starts cmd and tracks it until Wait.
func (s *Session) Start(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	c := &child{done: make(chan struct{})}
	s.mu.Lock()
	s.children[cmd] = c
	s.mu.Unlock()
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return nil
}

// Wait waits for a child started with Start and forgets it.
func (s *Session) Wait(cmd *exec.Cmd) error {
	s.mu.Lock()
	c, ok := s.children[cmd]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("%s: not a running child of this session", cmd.Path)
	}
	<-c.done
	s.mu.Lock()
	delete(s.children, cmd)
	s.mu.Unlock()
	return c.err
}

// Close kills every child still running, waits for them, and removes the
// temporary directory.
func (s *Session) Close() {
	s.mu.Lock()
	left := map[*exec.Cmd]*child{}
	for cmd, c := range s.children {
		left[cmd] = c
	}
	s.mu.Unlock()
	for cmd, c := range left {
		_ = cmd.Process.Kill()
		<-c.done
	}
	os.RemoveAll(s.Dir)
}

// PeakRSSKB is the peak resident set size of a finished child, in KB
// (Linux reports ru_maxrss in kilobytes). Linux starts a child's figure
// from its parent's resident set at fork, so it is the child's own only
// when the parent is small: keep big work out of the measuring process.
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
