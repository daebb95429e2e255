package reports

import (
	"strings"
	"unicode"
)

// document is a report before it is written: the Markdown and HTML
// writers draw the same document.
type document struct {
	Title    string
	Subtitle string
	Sections []section
}

type section struct {
	ID, Title string
	Blocks    []block
}

// block is one thing in a section; exactly one field is set.
type block struct {
	// Text is a paragraph of raw text; "\n" breaks a line.
	Text  string
	Level level
	// List is a bulleted list of raw text.
	List      []string
	ListLevel level
	// Pre is preformatted text, folded under Fold when Fold is set.
	Pre, Fold string
	Table     *table
	Figure    *figure
}

func (s *section) text(lv level, text string) {
	s.Blocks = append(s.Blocks, block{Text: text, Level: lv})
}
func (s *section) list(lv level, items []string) {
	s.Blocks = append(s.Blocks, block{List: items, ListLevel: lv})
}
func (s *section) table(t table)   { s.Blocks = append(s.Blocks, block{Table: &t}) }
func (s *section) figure(f figure) { s.Blocks = append(s.Blocks, block{Figure: &f}) }
func (s *section) pre(fold, text string) {
	s.Blocks = append(s.Blocks, block{Pre: text, Fold: fold})
}

// figures lists the document's figures in order.
func (d *document) figures() []*figure {
	var out []*figure
	for i := range d.Sections {
		for j := range d.Sections[i].Blocks {
			if f := d.Sections[i].Blocks[j].Figure; f != nil {
				out = append(out, f)
			}
		}
	}
	return out
}

// slug makes a file-name and anchor-safe word of untrusted text: lower
// case letters and digits, other runs of characters as one hyphen.
func slug(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			hyphen = false
		} else if !hyphen && b.Len() > 0 {
			b.WriteByte('-')
			hyphen = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		return "x"
	}
	return out
}
