package cloudflare

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnpackWritesTheWholeProject(t *testing.T) {
	dir := t.TempDir()
	if err := unpack(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"package.json", "package-lock.json", ".npmrc", "wrangler.jsonc", "src/index.js", "scripts/serve.mjs", "migrations/0001_init.sql"} {
		want, err := os.ReadFile(filepath.Join("worker", f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("%s not unpacked: %v", f, err)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from worker/%s", f, f)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "test")); !os.IsNotExist(err) {
		t.Errorf("the Worker's tests were unpacked too")
	}
}

func TestProjectSumIsStable(t *testing.T) {
	a, err := projectSum()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := projectSum()
	if a != b || len(a) != 16 {
		t.Errorf("sums %q and %q", a, b)
	}
}

func TestProjectDirRefusesAFolderWithoutTheWorker(t *testing.T) {
	_, err := projectDir(context.Background(), t.TempDir(), toolchain{}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "scripts/serve.mjs is missing") {
		t.Fatalf("error %v", err)
	}
}

func TestPruneOtherVersionsKeepsTheCurrentAndForeignFolders(t *testing.T) {
	parent := t.TempDir()
	keep := filepath.Join(parent, "cloudflare-worker-0123456789abcdef")
	old := filepath.Join(parent, "cloudflare-worker-fedcba9876543210")
	busy := filepath.Join(parent, "cloudflare-worker-unpacking-123")
	other := filepath.Join(parent, "results")
	for _, d := range []string{keep, old, busy, other} {
		if err := os.MkdirAll(filepath.Join(d, "node_modules"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	pruneOtherVersions(parent, keep, io.Discard)
	for d, want := range map[string]bool{keep: true, old: false, busy: true, other: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", filepath.Base(d), err == nil, want)
		}
	}
}
