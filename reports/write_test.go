package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	r := standardRun(t, 5)
	if err := Write(dir, r, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{MarkdownFile, HTMLFile} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d KB", name, st.Size()/1024)
	}
	page, _ := os.ReadFile(filepath.Join(dir, HTMLFile))
	if strings.Contains(string(page), "<script") || strings.Contains(string(page), "src=") || strings.Contains(string(page), "<link") {
		t.Error("report.html references external resources or scripts")
	}
}
