package costmodel

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// FieldError is a bad value in a data file: which file, which line, which
// field, and what to do about it.
type FieldError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
}

// node is a YAML value with where it came from. The data files are read
// from the syntax tree, not decoded into structs, for two reasons: every
// error can name the line of the field at fault, and numbers keep the exact
// digits written ("0.30" stays 30/100, never a float).
type node struct {
	file string
	// field is the path of the value, e.g. plans[1].units.worker_requests.
	field string
	// n is nil when the field is absent or null; line is then the line of
	// the mapping that should hold it.
	n    ast.Node
	line int
}

// maxScalar bounds the length of a number so a hostile file cannot make
// the rational arithmetic slow.
const maxScalar = 40

// parseDoc parses one YAML document. A panic in the parser on malformed
// input is turned into an error naming the file: the input is at fault,
// and the user needs to know which file.
func parseDoc(file string, data []byte) (root node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &FieldError{File: file, Line: 1, Msg: fmt.Sprintf("not valid YAML (%v)", r)}
		}
	}()
	f, perr := parser.ParseBytes(data, 0)
	if perr != nil {
		line := 1
		var ye yaml.Error
		if errors.As(perr, &ye) && ye.GetToken() != nil && ye.GetToken().Position != nil {
			line = ye.GetToken().Position.Line
			return node{}, &FieldError{File: file, Line: line, Msg: "not valid YAML: " + ye.GetMessage()}
		}
		return node{}, &FieldError{File: file, Line: line, Msg: "not valid YAML: " + perr.Error()}
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) != 1 {
		return node{}, &FieldError{File: file, Line: 1, Msg: fmt.Sprintf("want exactly one YAML document, found %d", len(docs))}
	}
	return node{file: file, n: docs[0].Body, line: 1}, nil
}

// errorf reports a problem with this field.
func (y node) errorf(format string, args ...any) error {
	return &FieldError{File: y.file, Line: y.lineNo(), Field: y.field, Msg: fmt.Sprintf(format, args...)}
}

func (y node) lineNo() int {
	if y.n != nil {
		if tk := y.n.GetToken(); tk != nil && tk.Position != nil {
			return tk.Position.Line
		}
	}
	return y.line
}

// value strips anchors and tags, and reports null as absent.
func (y node) value() (ast.Node, error) {
	n := y.n
	for n != nil {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.AliasNode:
			return nil, y.errorf("aliases (*name) are not supported: write the value out")
		case *ast.NullNode:
			return nil, nil
		default:
			return n, nil
		}
	}
	return nil, nil
}

// present reports whether the field has a non-null value.
func (y node) present() bool {
	v, err := y.value()
	return err == nil && v != nil
}

// entry is one key of a mapping, in file order.
type entry struct {
	key string
	val node
}

// entries lists a mapping's keys in order. Absent means empty.
func (y node) entries() ([]entry, error) {
	v, err := y.value()
	if err != nil || v == nil {
		return nil, err
	}
	var pairs []*ast.MappingValueNode
	switch m := v.(type) {
	case *ast.MappingNode:
		pairs = m.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{m}
	default:
		return nil, y.errorf("want a mapping (key: value lines), found %s", v.Type())
	}
	seen := map[string]bool{}
	out := make([]entry, 0, len(pairs))
	for _, p := range pairs {
		key, err := y.keyName(p)
		if err != nil {
			return nil, err
		}
		child := y.child(key, p.Value)
		child.line = p.Key.GetToken().Position.Line
		if seen[key] {
			return nil, child.errorf("duplicate key")
		}
		seen[key] = true
		out = append(out, entry{key: key, val: child})
	}
	return out, nil
}

func (y node) keyName(p *ast.MappingValueNode) (string, error) {
	kn := node{file: y.file, field: y.field, n: p.Key, line: y.lineNo()}
	switch k := p.Key.(type) {
	case *ast.StringNode:
		return k.Value, nil
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return k.GetToken().Value, nil
	default:
		return "", kn.errorf("keys must be plain names, found %s", p.Key.Type())
	}
}

func (y node) child(key string, n ast.Node) node {
	field := key
	if y.field != "" {
		field = y.field + "." + key
	}
	return node{file: y.file, field: field, n: n, line: y.lineNo()}
}

// fields reads a mapping whose keys must all be among allowed; an unknown
// key is an error naming it and the keys that are allowed.
func (y node) fields(allowed ...string) (map[string]node, error) {
	es, err := y.entries()
	if err != nil {
		return nil, err
	}
	out := make(map[string]node, len(es))
	for _, e := range es {
		if !contains(allowed, e.key) {
			return nil, e.val.errorf("unknown field; allowed here: %s", strings.Join(allowed, ", "))
		}
		out[e.key] = e.val
	}
	return out, nil
}

// get returns a field of a mapping read by fields, absent or not.
func (y node) get(m map[string]node, key string) node {
	if v, ok := m[key]; ok {
		return v
	}
	return y.child(key, nil)
}

// items lists a sequence's values.
func (y node) items() ([]node, error) {
	v, err := y.value()
	if err != nil || v == nil {
		return nil, err
	}
	seq, ok := v.(*ast.SequenceNode)
	if !ok {
		return nil, y.errorf("want a list (- item lines), found %s", v.Type())
	}
	out := make([]node, len(seq.Values))
	for i, it := range seq.Values {
		out[i] = node{file: y.file, field: fmt.Sprintf("%s[%d]", y.field, i), n: it, line: y.lineNo()}
	}
	return out, nil
}

// scalar returns the text of a scalar as written; ok is false when absent.
func (y node) scalar() (s string, ok bool, err error) {
	v, err := y.value()
	if err != nil || v == nil {
		return "", false, err
	}
	switch t := v.(type) {
	case *ast.StringNode:
		return t.Value, true, nil
	case *ast.LiteralNode:
		return strings.TrimRight(t.Value.Value, "\n"), true, nil
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return t.GetToken().Value, true, nil
	default:
		return "", false, y.errorf("want a single value, found %s", v.Type())
	}
}

// text reads an optional string.
func (y node) text() (string, error) {
	s, _, err := y.scalar()
	return s, err
}

// requiredText reads a string that must be present and non-empty.
func (y node) requiredText(what string) (string, error) {
	s, ok, err := y.scalar()
	if err != nil {
		return "", err
	}
	if !ok || strings.TrimSpace(s) == "" {
		return "", y.errorf("missing: %s", what)
	}
	return s, nil
}

// flag reads an optional boolean.
func (y node) flag() (bool, error) {
	s, ok, err := y.scalar()
	if err != nil || !ok {
		return false, err
	}
	switch s {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, y.errorf("%q: want true or false", s)
}

var (
	decimalRe  = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]+))?$`)
	fractionRe = regexp.MustCompile(`^([0-9]+)/([0-9]+)$`)
	// leadingZeroRe finds an integer part like 015 (but not 0 or 0.5).
	leadingZeroRe = regexp.MustCompile(`(^|/)0[0-9]`)
)

// quantity reads a non-negative exact number: an integer (underscores
// allowed as separators: 10_000_000), a decimal (0.30) or a fraction
// (1/20). ok is false when absent.
func (y node) quantity() (q *big.Rat, ok bool, err error) {
	s, ok, err := y.scalar()
	if err != nil || !ok {
		return nil, ok, err
	}
	q, perr := parseQuantity(s)
	if perr != nil {
		return nil, true, y.errorf("%v", perr)
	}
	return q, true, nil
}

// requiredQuantity reads a quantity that must be present.
func (y node) requiredQuantity(what string) (*big.Rat, error) {
	q, ok, err := y.quantity()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, y.errorf("missing: %s", what)
	}
	return q, nil
}

// parseQuantity parses the number forms quantity accepts. It is written
// out rather than left to big.Rat.SetString, which reads "010/3" as octal.
func parseQuantity(s string) (*big.Rat, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "-") {
		return nil, fmt.Errorf("%q: must not be negative", s)
	}
	if len(t) > maxScalar {
		return nil, fmt.Errorf("%q: number too long (at most %d characters)", s, maxScalar)
	}
	t = strings.ReplaceAll(t, "_", "")
	if leadingZeroRe.MatchString(t) {
		return nil, fmt.Errorf("%q: a leading zero is ambiguous (octal in some YAML readers): write 15 or 0.015", s)
	}
	if m := fractionRe.FindStringSubmatch(t); m != nil {
		num, _ := new(big.Int).SetString(m[1], 10)
		den, _ := new(big.Int).SetString(m[2], 10)
		if den.Sign() == 0 {
			return nil, fmt.Errorf("%q: division by zero", s)
		}
		return new(big.Rat).SetFrac(num, den), nil
	}
	if m := decimalRe.FindStringSubmatch(t); m != nil {
		num, _ := new(big.Int).SetString(m[1]+m[2], 10)
		den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(len(m[2]))), nil)
		return new(big.Rat).SetFrac(num, den), nil
	}
	return nil, fmt.Errorf("%q: want a number such as 1000000, 1_000_000, 0.30 or 1/20", s)
}

// date reads a YYYY-MM-DD date; ok is false when absent.
func (y node) date() (d time.Time, ok bool, err error) {
	s, ok, err := y.scalar()
	if err != nil || !ok {
		return time.Time{}, ok, err
	}
	d, perr := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if perr != nil {
		return time.Time{}, true, y.errorf("%q: not a date; write YYYY-MM-DD", s)
	}
	return d, true, nil
}
