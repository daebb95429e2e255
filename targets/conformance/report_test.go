package conformance

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestReportOK(t *testing.T) {
	pass := Check{Status: Pass, Declared: true}
	cases := []struct {
		name   string
		checks []Check
		want   bool
	}{
		{"an empty report verifies nothing", nil, false},
		{"all passed verifies", []Check{pass, pass}, true},
		{"one failure does not verify", []Check{pass, {Status: Fail, Declared: true}}, false},
		{"a failed probe of an undeclared capability does not verify", []Check{pass, {Status: Fail}}, false},
		{"a skip of a declared capability does not verify", []Check{pass, {Status: Skip, Declared: true}}, false},
		{"a skip of an undeclared capability still verifies", []Check{pass, {Status: Skip}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := (&Report{Checks: c.checks}).OK(); got != c.want {
				t.Errorf("OK() = %v, want %v", got, c.want)
			}
		})
	}
}

func TestReportWriteListsEveryCheckAndEndsWithTheCounts(t *testing.T) {
	r := &Report{URL: "http://127.0.0.1:1", Checks: []Check{
		{Capability: "http", Route: "GET /health", Name: "answers 200", Status: Pass},
		{Capability: "items", Route: "PUT /items/{id}", Name: "stores a value", Status: Fail, Reason: "answered 500"},
		{Capability: "meters", Route: "GET /meters", Name: "answers 200", Status: Skip, Reason: "not declared"},
	}}
	var b bytes.Buffer
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"GET /health", "PASS", "FAIL: answered 500", "SKIP: not declared"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if last := lines[len(lines)-1]; last != "1 passed, 1 failed, 1 skipped" {
		t.Errorf("last line is %q", last)
	}
}

func TestAtURL(t *testing.T) {
	cases := []struct {
		url, want string // want "" means an error
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"https://example.test/base/", "https://example.test/base"},
		{"127.0.0.1:8080", ""},
		{"ftp://127.0.0.1", ""},
		{"http://127.0.0.1:8080/?x=1", ""},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			inst, err := AtURL(c.url)
			if c.want == "" {
				if err == nil {
					t.Errorf("accepted; want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if inst.URL() != c.want {
				t.Errorf("URL() = %q, want %q", inst.URL(), c.want)
			}
		})
	}
}

func TestSnippetKeepsReasonsShortAndPrintable(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty body", "", "(empty body)"},
		{"JSON is shown as it is", `{"error": "no"}`, `{"error": "no"}`},
		{"control characters are escaped", "a\x1b[31mb\tc\n", `a\x1b[31mb\tc`},
		{"a long body is cut", strings.Repeat("x", 200), strings.Repeat("x", 160) + "..."},
		{"a cut never splits a character", strings.Repeat("x", 159) + "é", strings.Repeat("x", 159) + "..."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := snippet([]byte(c.in)); got != c.want {
				t.Errorf("snippet(%q) = %s, want %s", c.in, got, c.want)
			}
		})
	}
}

func FuzzSnippet(f *testing.F) {
	for _, seed := range []string{"", `{"error":"x"}`, "a\x1b[2Jb", strings.Repeat("é", 100), "\xff\xfe"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s := snippet(body)
		if !utf8.ValidString(s) {
			t.Errorf("snippet(%q) = %q is not valid UTF-8", body, s)
		}
		for _, r := range s {
			if !unicode.IsGraphic(r) {
				t.Fatalf("snippet(%q) = %q holds %U, which a terminal may act on", body, s, r)
			}
		}
		if n := utf8.RuneCountInString(strings.TrimSuffix(s, "...")); n > 4*160 {
			t.Errorf("snippet of %d bytes is %d runes long", len(body), n)
		}
	})
}
