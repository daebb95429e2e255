package cloudflare

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// groupMembers lists the live (not zombie) processes of process group
// pgid, as "pid command".
func groupMembers(pgid int) []string {
	var out []string
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // exited meanwhile
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces and parens.
		end := bytes.LastIndexByte(b, ')')
		start := bytes.IndexByte(b, '(')
		if start < 0 || end < 0 {
			continue
		}
		f := strings.Fields(string(b[end+1:]))
		if len(f) < 3 || f[0] == "Z" {
			continue
		}
		if g, _ := strconv.Atoi(f[2]); g == pgid {
			out = append(out, strings.TrimSpace(string(b[:start]))+" "+string(b[start+1:end]))
		}
	}
	return out
}

// assertGroupGone fails unless process group pgid is empty within wait.
func assertGroupGone(t *testing.T, pgid int, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		members := groupMembers(pgid)
		if len(members) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process group %d still has %v", pgid, members)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestKilledHarnessLeavesNoProcess(t *testing.T) {
	needWorker(t)
	harness := exec.Command(os.Args[0], "-test.run=^$")
	harness.Env = append(os.Environ(), helperEnv+"=1")
	var stderr bytes.Buffer
	harness.Stderr = &stderr
	stdout, err := harness.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := harness.Start(); err != nil {
		t.Fatal(err)
	}
	defer harness.Process.Kill()
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
	}()
	var pgid int
	var stateDir string
	select {
	case l := <-line:
		if _, err := fmt.Sscanf(l, "ready %d %s", &pgid, &stateDir); err != nil {
			t.Fatalf("the harness said %q; its log:\n%s", l, stderr.String())
		}
	case <-time.After(startTimeout + 30*time.Second):
		t.Fatalf("the harness did not start the Worker; its log:\n%s", stderr.String())
	}
	if len(groupMembers(pgid)) < 2 {
		t.Fatalf("process group %d has %v, want node and workerd", pgid, groupMembers(pgid))
	}

	// SIGKILL: the harness gets no chance to clean up.
	if err := harness.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	harness.Wait()

	assertGroupGone(t, pgid, 15*time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(stateDir); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			left, _ := filepath.Glob(filepath.Join(stateDir, "*", "*"))
			t.Errorf("state folder %s survived the harness, holding %v", stateDir, left)
			os.RemoveAll(stateDir)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
}
