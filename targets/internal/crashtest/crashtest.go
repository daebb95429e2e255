// Package crashtest is the scaffolding of the crash tests of the embedded
// backends: build the versus binary, run `versus serve NAME` as a process
// of its own, stream signed webhooks at it, kill it with SIGKILL, restart
// it on the same data folder and read back what survived. The tests keep
// their own assertions; this package only drives the process and counts.
//
// It is test support: only _test.go files may import it.
package crashtest

import (
	"net"
	"os/exec"
	"path/filepath"
	"testing"
)

// Binary builds the versus command into a temporary folder of t and
// returns its path. The build cache makes every build after the first
// little more than a link. Under -short it skips t instead: building and
// killing processes is what -short leaves out.
func Binary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the versus binary and kills it: skipped under -short")
	}
	bin := filepath.Join(t.TempDir(), "versus")
	// "versus" is the module's main package: go resolves it from any
	// folder of the module, so the test's working folder does not matter.
	build := exec.Command("go", "build", "-o", bin, "versus")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build versus: %v\n%s", err, out)
	}
	return bin
}

// FreeAddr returns a loopback address nobody listens on at the moment, for
// a server to bind and, after a kill, bind again.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free loopback port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}
