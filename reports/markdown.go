package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// writeMarkdown writes the document as Markdown; figures are linked from
// plotDir, where the caller saves them as SVG files.
func writeMarkdown(w io.Writer, doc document, plotDir string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n", mdText(doc.Title), mdText(doc.Subtitle))
	for _, sec := range doc.Sections {
		fmt.Fprintf(&b, "\n## %s\n", mdText(sec.Title))
		for _, bl := range sec.Blocks {
			b.WriteString("\n")
			switch {
			case bl.Table != nil:
				if err := markdownTable(&b, *bl.Table); err != nil {
					return err
				}
			case bl.Figure != nil:
				f := bl.Figure
				fmt.Fprintf(&b, "![%s](%s/%s.svg)\n\n*%s*\n", mdText(f.Title), plotDir, f.Name, mdText(f.Caption))
			case bl.List != nil:
				for _, item := range bl.List {
					b.WriteString("- " + mdMarked(item, bl.ListLevel) + "\n")
				}
			case bl.Pre != "":
				if bl.Fold != "" {
					b.WriteString(mdText(bl.Fold) + ":\n\n")
				}
				fence := strings.Repeat("`", max(3, longestRun(bl.Pre, '`')+1))
				fmt.Fprintf(&b, "%s\n%s\n%s\n", fence, strings.TrimRight(bl.Pre, "\n"), fence)
			default:
				b.WriteString(mdMarked(bl.Text, bl.Level) + "\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// markdownTable draws a table with tablewriter's Markdown renderer.
func markdownTable(b *strings.Builder, t table) error {
	if t.Caption != "" {
		b.WriteString("**" + mdText(t.Caption) + "**\n\n")
	}
	aligns := make([]tw.Align, len(t.Header))
	for i := range aligns {
		aligns[i] = tw.AlignLeft
		if t.numeric(i) {
			aligns[i] = tw.AlignRight
		}
	}
	cfg := tablewriter.NewConfigBuilder().
		WithHeaderAutoFormat(tw.Off).WithHeaderAutoWrap(tw.WrapNone).WithRowAutoWrap(tw.WrapNone).Build()
	cfg.Header.Alignment.PerColumn = aligns
	cfg.Row.Alignment.PerColumn = aligns
	tb := tablewriter.NewTable(b, tablewriter.WithConfig(cfg), tablewriter.WithRenderer(renderer.NewMarkdown()))
	tb.Header(sanitized(t.Header, mdText))
	for _, row := range t.Rows {
		texts := make([]string, len(row))
		for i, c := range row {
			texts[i] = mdMarked(c.Text, c.Level)
		}
		if err := tb.Append(texts); err != nil {
			return fmt.Errorf("markdown table %q: %w", t.Caption, err)
		}
	}
	if err := tb.Render(); err != nil {
		return fmt.Errorf("markdown table %q: %w", t.Caption, err)
	}
	for _, n := range t.Notes {
		b.WriteString("\n" + mdText(n) + "\n")
	}
	return nil
}

// mdMarked escapes text, breaks its lines with <br> (the only line break
// a Markdown table cell has) and marks its level with a symbol that reads
// without colour.
func mdMarked(text string, lv level) string {
	if text == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = mdText(l)
	}
	s := strings.Join(lines, "<br>")
	switch lv {
	case alarm:
		return "**✗ " + s + "**"
	case warn:
		return "⚠ " + s
	case good:
		return "✓ " + s
	case strong:
		return "**" + s + "**"
	}
	return s
}

// longestRun is the length of the longest run of r in s.
func longestRun(s string, r rune) int {
	best, n := 0, 0
	for _, c := range s {
		if c == r {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
