package cloudflare

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"
)

// project is the Worker project as the binary carries it: what `npm ci`
// and serve.mjs need, without tests or installed packages.
//
//go:embed worker/package.json worker/package-lock.json worker/.npmrc worker/wrangler.jsonc
//go:embed worker/src worker/migrations worker/scripts
var project embed.FS

// installTimeout bounds `npm ci`: a first install downloads about 200 MB.
const installTimeout = 10 * time.Minute

// installedMarker is written by npm at the end of a complete install.
const installedMarker = "node_modules/.package-lock.json"

// projectDir returns a folder holding the Worker project with its packages
// installed: dir itself when given, installed in place if needed;
// otherwise the embedded copy, unpacked and installed once per version of
// it in the user cache folder. Install output goes to log.
func projectDir(ctx context.Context, dir string, tc toolchain, log io.Writer) (string, error) {
	if dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", fmt.Errorf("worker_dir %s: %w", dir, err)
		}
		if _, err := os.Stat(filepath.Join(abs, "scripts", "serve.mjs")); err != nil {
			return "", fmt.Errorf("worker_dir %s holds no Worker project (scripts/serve.mjs is missing): point it at targets/cloudflare/worker or a copy of it", abs)
		}
		if !installed(abs) {
			if err := npmCI(ctx, tc, abs, log); err != nil {
				return "", err
			}
		}
		return abs, nil
	}
	return unpackedProject(ctx, tc, log)
}

func installed(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, installedMarker))
	return err == nil
}

// unpackedProject unpacks and installs the embedded project into a
// temporary folder, then renames it into place, so the cache never holds
// a half-installed copy and two runs installing at once do not collide.
func unpackedProject(ctx context.Context, tc toolchain, log io.Writer) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	parent := filepath.Join(cache, "versus")
	sum, err := projectSum()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(parent, "cloudflare-worker-"+sum)
	if installed(dir) {
		return dir, nil
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("unpacking the Worker project: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "cloudflare-worker-unpacking-")
	if err != nil {
		return "", fmt.Errorf("unpacking the Worker project: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := unpack(tmp); err != nil {
		return "", fmt.Errorf("unpacking the Worker project into %s: %w", tmp, err)
	}
	fmt.Fprintf(log, "installing the Worker's packages (npm ci) for %s\n", dir)
	if err := npmCI(ctx, tc, tmp, log); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if installed(dir) {
			return dir, nil // another run got there first
		}
		// A stale, incomplete copy: replace it.
		if rmErr := os.RemoveAll(dir); rmErr != nil {
			return "", fmt.Errorf("replacing the incomplete Worker project in %s: %w", dir, rmErr)
		}
		if err := os.Rename(tmp, dir); err != nil {
			return "", fmt.Errorf("moving the Worker project into %s: %w", dir, err)
		}
	}
	pruneOtherVersions(parent, dir, log)
	return dir, nil
}

var versionDir = regexp.MustCompile(`^cloudflare-worker-[0-9a-f]{16}$`)

// pruneOtherVersions removes the copies of other versions of the project
// (about 200 MB each with their packages) once this one is installed.
func pruneOtherVersions(parent, keep string, log io.Writer) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(parent, e.Name())
		if !e.IsDir() || !versionDir.MatchString(e.Name()) || p == keep {
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			fmt.Fprintf(log, "removing an older copy of the Worker project: %v\n", err)
		}
	}
}

// projectSum names a version of the embedded project: 16 hex digits of a
// SHA-256 over its paths and contents.
func projectSum() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(project, "worker", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := project.ReadFile(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("reading the embedded Worker project: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// unpack writes the embedded project into dir.
func unpack(dir string) error {
	root, err := fs.Sub(project, "worker")
	if err != nil {
		return err
	}
	return fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

// npmCI installs the locked packages into dir; a failure carries the end
// of npm's output.
func npmCI(ctx context.Context, tc toolchain, dir string, log io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, installTimeout)
	defer cancel()
	out := newOutput(log, "", 30)
	cmd := exec.CommandContext(ctx, tc.npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false")
	cmd.Stdout = out
	cmd.Stderr = out
	err := cmd.Run()
	out.Flush()
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("no result after %v", installTimeout)
		}
		return fmt.Errorf("npm ci in %s failed (%v): check that the npm registry is reachable, or run it there yourself; npm's last output:\n%s", dir, err, out.Tail())
	}
	return nil
}
