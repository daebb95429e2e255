//go:build !unix

package cloudflare

import (
	"errors"
	"os"
	"syscall"
)

// groupAttr has no process group to set up here: serve.mjs notices this
// process is gone when its standard input closes.
func groupAttr() *syscall.SysProcAttr { return nil }

// terminate has no signal to send here: closing serve.mjs's standard
// input, which Close does first, is how it is asked to stop.
func terminate(*os.Process) error { return nil }

// killGroup stops serve.mjs.
func killGroup(p *os.Process) error {
	err := p.Kill()
	if errors.Is(err, os.ErrProcessDone) {
		return nil
	}
	return err
}

// groupGone: serve.mjs, the only process this adapter can watch here, has
// exited when Close asks.
func groupGone(*os.Process) bool { return true }
