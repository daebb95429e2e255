//go:build unix && !linux

package cloudflare

import "syscall"

// groupAttr starts serve.mjs as the leader of a new process group, so that
// it and the workerd it spawns can be signalled as one. Without Linux's
// parent-death signal, serve.mjs notices this process is gone when its
// standard input closes.
func groupAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
