package scenarios

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// Error is a suite error at a place in a file: it prints as
// "file:line:col: field: message".
type Error struct {
	File      string
	Line, Col int
	Field     string
	Msg       string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// FieldError is a validation failure of one field, before it is placed in
// the file. Field is a path below the scenario, like "rate" or "delays[2]".
type FieldError struct {
	Field string
	Msg   string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Msg }

// fieldErr builds a FieldError with a formatted message.
func fieldErr(field, format string, args ...any) FieldError {
	return FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// locator turns paths into positions in one parsed file.
type locator struct {
	file string
	ast  *ast.File
}

// at places msg at the node of path ($.scenarios[0].rate), falling back to
// the nearest ancestor that exists (a missing field points at its parent).
func (l locator) at(path, field, msg string) *Error {
	e := &Error{File: l.file, Field: field, Msg: msg}
	for p := path; p != "$" && p != ""; p = parentPath(p) {
		yp, err := yaml.PathString(p)
		if err != nil {
			continue
		}
		n, err := yp.FilterFile(l.ast)
		if err != nil || n == nil || n.GetToken() == nil {
			continue
		}
		e.Line, e.Col = n.GetToken().Position.Line, n.GetToken().Position.Column
		return e
	}
	return e
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i <= 0 {
		return "$"
	}
	return p[:i]
}

// fromYAML converts a go-yaml decoding error into an Error in file.
func (l locator) fromYAML(err error, field string) *Error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		e := &Error{File: l.file, Field: field, Msg: cleanMsg(ye.GetMessage())}
		if tk := ye.GetToken(); tk != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
			var uf *yaml.UnknownFieldError
			if errors.As(err, &uf) {
				e.Field = joinField(field, tk.Value)
				e.Msg = "unknown field"
			}
		}
		return e
	}
	return &Error{File: l.file, Field: field, Msg: err.Error()}
}

func joinField(parent, child string) string {
	if parent == "" {
		return child
	}
	return parent + "." + child
}

func cleanMsg(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "\n"); i >= 0 {
		s = s[:i]
	}
	return s
}
