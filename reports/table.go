package reports

// level marks a cell a reader must not miss.
type level int

const (
	plain  level = iota
	good         // a claim confirmed
	warn         // a number that needs care (shortfall, not significant)
	alarm        // a correctness failure, a claim refuted
	strong       // a significant difference
)

// cell is one table cell. Text is raw: every renderer escapes it.
type cell struct {
	Text  string
	Level level
}

// table is a renderer-neutral table: the terminal, Markdown and HTML
// writers each draw it their own way.
type table struct {
	Caption string
	Header  []string
	// Numeric marks columns to align right.
	Numeric []bool
	Rows    [][]cell
	// Notes follow the table: how to read it, what is missing.
	Notes []string
}

// add appends a row of plain cells.
func (t *table) add(texts ...string) {
	row := make([]cell, len(texts))
	for i, s := range texts {
		row[i] = cell{Text: s}
	}
	t.Rows = append(t.Rows, row)
}

// numeric reports whether column i aligns right.
func (t *table) numeric(i int) bool { return i < len(t.Numeric) && t.Numeric[i] }

// numericFrom marks every column from i on as numeric.
func numericFrom(n, i int) []bool {
	out := make([]bool, n)
	for j := i; j < n; j++ {
		out[j] = true
	}
	return out
}
