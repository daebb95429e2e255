package reports

import (
	"bytes"
	_ "embed"
	"fmt"
	"html"
	"html/template"
	"io"
	"strings"
)

//go:embed report.html.tmpl
var reportTemplate string

// page is the HTML template. html/template escapes every value by
// context, so names, errors and notes from suites and targets render as
// text; the page's Content-Security-Policy forbids scripts and any fetch,
// so even a slip could not run or load anything.
var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"svg":       inlineSVG,
	"lines":     func(s string) []string { return strings.Split(s, "\n") },
	"class":     levelClass,
	"isNum":     func(t *table, i int) bool { return t.numeric(i) },
	"cellClass": cellClass,
}).Parse(reportTemplate))

func writeHTML(w io.Writer, doc document) error {
	var buf bytes.Buffer
	if err := page.Execute(&buf, doc); err != nil {
		return fmt.Errorf("report.html: %w", err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// inlineSVG embeds a figure's SVG in the page without its XML prolog,
// labelled for screen readers. The SVG is gonum's output, whose text
// (titles, legends naming targets) vgsvg escapes.
func inlineSVG(f *figure) template.HTML {
	s := string(f.SVG)
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	s = strings.Replace(s, "<svg", `<svg role="img" aria-label="`+html.EscapeString(f.Title)+`"`, 1)
	return template.HTML(s)
}

func levelClass(lv level) string {
	switch lv {
	case good:
		return "good"
	case warn:
		return "warn"
	case alarm:
		return "alarm"
	case strong:
		return "strong"
	}
	return ""
}

func cellClass(t *table, i int, c cell) string {
	cls := levelClass(c.Level)
	if t.numeric(i) {
		cls = strings.TrimSpace(cls + " num")
	}
	return cls
}
