package cloudflare

import "syscall"

// groupAttr starts serve.mjs as the leader of a new process group, so that
// it and the workerd it spawns can be signalled as one, and has the kernel
// send it SIGTERM should this process die without closing it (a SIGKILL):
// serve.mjs then disposes of workerd and kills its own group. SIGTERM, not
// SIGKILL, because only node knows to take workerd with it.
func groupAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
