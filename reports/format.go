package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// fmtMS prints milliseconds with three significant digits, enough for
// histograms that keep three.
func fmtMS(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case v == 0:
		return "0"
	case math.Abs(v) >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return threeDigits(v)
}

// fmtPercent prints a share as a percentage, keeping small non-zero shares
// visible.
func fmtPercent(num, den int64) string {
	if den == 0 {
		return "n/a"
	}
	if num == 0 {
		return "0%"
	}
	p := 100 * float64(num) / float64(den)
	switch {
	case p < 0.01:
		return "<0.01%"
	case p < 1:
		return fmt.Sprintf("%.2g%%", p)
	case p < 10:
		return fmt.Sprintf("%.1f%%", p)
	}
	return fmt.Sprintf("%.0f%%", p)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// plainText makes untrusted text safe for one line of a terminal: line
// breaks and tabs become spaces and other control characters (escape
// sequences) become U+FFFD, so a name from a suite cannot move the cursor,
// recolour the screen or break a table row.
func plainText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r):
			return '\uFFFD'
		}
		return r
	}, s)
}

// mdEscaper escapes what would change a Markdown document's structure or
// let raw HTML through: table pipes, emphasis, links, code and tags.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "*", `\*`, "`", "\\`", "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "&", "&amp;",
)

// mdText escapes untrusted text for Markdown.
func mdText(s string) string { return mdEscaper.Replace(plainText(s)) }
