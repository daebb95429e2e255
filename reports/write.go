package reports

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"versus/results"
)

// Files a report writes into a run directory.
const (
	MarkdownFile = "report.md"
	HTMLFile     = "report.html"
	PlotDir      = "plots"
)

// Write renders the run into dir: report.md, a self-contained
// report.html (plots inline) and the plots as SVG files under plots/ for
// the Markdown to link. Every file is written atomically; plots of an
// earlier rendering that this one no longer draws are removed.
func Write(dir string, r *results.Run, opts Options) error {
	doc, err := buildReport(indexRun(r), opts)
	if err != nil {
		return fmt.Errorf("report %s: %w", dir, err)
	}
	return writeDocument(dir, doc, MarkdownFile, HTMLFile, "")
}

// writeDocument writes a document as Markdown and HTML, its figures under
// plots/ with the given name prefix.
func writeDocument(dir string, doc document, mdName, htmlName, plotPrefix string) error {
	uniqueIDs(&doc)
	plots := filepath.Join(dir, PlotDir)
	if err := os.MkdirAll(plots, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	written := map[string]bool{}
	for _, f := range doc.figures() {
		f.Name = plotPrefix + f.Name
		name := f.Name + ".svg"
		if err := results.WriteFileAtomic(filepath.Join(plots, name), f.SVG); err != nil {
			return fmt.Errorf("report: plot %s: %w", name, err)
		}
		written[name] = true
	}
	if err := removeStalePlots(plots, plotPrefix, written); err != nil {
		return err
	}
	var md bytes.Buffer
	if err := writeMarkdown(&md, doc, PlotDir); err != nil {
		return fmt.Errorf("report: %s: %w", mdName, err)
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, mdName), md.Bytes()); err != nil {
		return err
	}
	var page bytes.Buffer
	if err := writeHTML(&page, doc); err != nil {
		return err
	}
	return results.WriteFileAtomic(filepath.Join(dir, htmlName), page.Bytes())
}

// removeStalePlots deletes SVG files of this document's kind (same prefix)
// that the current rendering did not write.
func removeStalePlots(plots, prefix string, written map[string]bool) error {
	entries, err := os.ReadDir(plots)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".svg") || written[name] || !ownedBy(name, prefix) {
			continue
		}
		if err := os.Remove(filepath.Join(plots, name)); err != nil {
			return fmt.Errorf("report: remove stale plot: %w", err)
		}
	}
	return nil
}

// ownedBy reports whether a plot file belongs to the document kind with
// this prefix: a report's plots start with a figure number, a
// comparison's with its prefix.
func ownedBy(name, prefix string) bool {
	if prefix != "" {
		return strings.HasPrefix(name, prefix)
	}
	return len(name) > 2 && name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9'
}

// uniqueIDs makes section anchors unique: two scenario names may slug the
// same.
func uniqueIDs(doc *document) {
	seen := map[string]int{}
	for i := range doc.Sections {
		id := doc.Sections[i].ID
		seen[id]++
		if n := seen[id]; n > 1 {
			doc.Sections[i].ID = fmt.Sprintf("%s-%d", id, n)
		}
	}
}
