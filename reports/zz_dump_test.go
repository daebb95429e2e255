package reports

import (
	"os"
	"testing"
)

func TestZZDump(t *testing.T) {
	dir := os.Getenv("DUMP_DIR")
	if dir == "" {
		t.Skip()
	}
	r := standardRun(t, 5)
	r.SuiteYAML = "name: test-suite\ntrials: 5\n"
	if err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, r, Options{}); err != nil {
		t.Fatal(err)
	}
}
