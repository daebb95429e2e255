package cloudflare

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The oldest Node.js the pinned wrangler (4.86.0) runs on.
const (
	minNodeMajor = 20
	minNodeMinor = 3
)

// toolchain is where node and npm are.
type toolchain struct {
	node, npm string
	// version is what `node --version` printed, like v20.20.2.
	version string
}

const installHint = "the cloudflare target runs the Worker on wrangler's local runtime, which needs Node.js 20.3 or later with npm (Debian/Ubuntu: apt-get install nodejs npm; or nodejs.org), or give the target the url of a deployed Worker"

// findToolchain looks for node and npm on PATH and checks node's version.
func findToolchain(ctx context.Context) (toolchain, error) {
	var tc toolchain
	var err error
	if tc.node, err = exec.LookPath("node"); err != nil {
		return tc, fmt.Errorf("Node.js is not installed (no node on PATH): %s", installHint)
	}
	if tc.npm, err = exec.LookPath("npm"); err != nil {
		return tc, fmt.Errorf("npm is not installed (no npm on PATH): %s", installHint)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, tc.node, "--version").Output()
	if err != nil {
		return tc, fmt.Errorf("%s --version failed (%v): %s", tc.node, err, installHint)
	}
	tc.version = strings.TrimSpace(string(out))
	major, minor, ok := nodeVersion(tc.version)
	if !ok {
		return tc, fmt.Errorf("%s --version printed %q, not a Node.js version: %s", tc.node, tc.version, installHint)
	}
	if major < minNodeMajor || (major == minNodeMajor && minor < minNodeMinor) {
		return tc, fmt.Errorf("Node.js %s is too old: %s", tc.version, installHint)
	}
	return tc, nil
}

var nodeVersionPattern = regexp.MustCompile(`^v(\d+)\.(\d+)\.\d+`)

// nodeVersion parses `node --version` output such as v20.20.2.
func nodeVersion(s string) (major, minor int, ok bool) {
	m := nodeVersionPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(m[1])
	minor, err2 := strconv.Atoi(m[2])
	return major, minor, err1 == nil && err2 == nil
}
