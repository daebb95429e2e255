//go:build unix

package cloudflare

import (
	"errors"
	"os"
	"syscall"
)

// terminate asks serve.mjs to stop; it disposes of workerd and then kills
// its own group.
func terminate(p *os.Process) error { return ignoreDone(p.Signal(syscall.SIGTERM)) }

// killGroup kills every process of p's group: serve.mjs and whatever it
// left running.
func killGroup(p *os.Process) error {
	err := syscall.Kill(-p.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return nil // the group is already gone
	}
	return err
}

// groupGone reports whether no process of p's group is left.
func groupGone(p *os.Process) bool {
	return errors.Is(syscall.Kill(-p.Pid, 0), syscall.ESRCH)
}

func ignoreDone(err error) error {
	if errors.Is(err, os.ErrProcessDone) {
		return nil
	}
	return err
}
