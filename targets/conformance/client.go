package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxAnswer bounds how much of an answer is read: contract answers are
// small, and a misbehaving target must not exhaust the harness.
const maxAnswer = 1 << 20

// answer is a target's HTTP answer.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// send makes one request to the instance's base URL + path and reads the
// answer. path must already be escaped.
func (v *verifier) send(ctx context.Context, method, path string, body []byte, header http.Header) (answer, error) {
	ctx, cancel := context.WithTimeout(ctx, v.opts.Timeout)
	defer cancel()
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, v.base+path, reader)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := v.opts.Client.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// sendJSON sends v encoded as JSON.
func (v *verifier) sendJSON(ctx context.Context, method, path string, value any) (answer, error) {
	body, err := json.Marshal(value)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: encoding the request: %w", method, path, err)
	}
	return v.send(ctx, method, path, body, nil)
}

// want returns an error unless the answer's status is one of statuses.
func (a answer) want(statuses ...int) error {
	if slices.Contains(statuses, a.status) {
		return nil
	}
	want := make([]string, len(statuses))
	for i, s := range statuses {
		want[i] = strconv.Itoa(s)
	}
	return fmt.Errorf("answered %d %s, want %s", a.status, snippet(a.body), strings.Join(want, " or "))
}

// wantError checks an error answer: one of statuses and a body
// {"error": "..."} with a message, as contract v1 asks of every 400.
func (a answer) wantError(statuses ...int) error {
	if err := a.want(statuses...); err != nil {
		return err
	}
	var e struct {
		Error *string `json:"error"`
	}
	if err := json.Unmarshal(a.body, &e); err != nil || e.Error == nil || *e.Error == "" {
		return fmt.Errorf("answered %d as it should, but the body %s is not {\"error\": \"...\"}", a.status, snippet(a.body))
	}
	return nil
}

// decode reads the answer's JSON body into v.
func (a answer) decode(v any) error {
	if err := json.Unmarshal(a.body, v); err != nil {
		return fmt.Errorf("answer %s is not the expected JSON: %v", snippet(a.body), err)
	}
	return nil
}

// snippet shows the start of a body in a reason: short, on one line, and
// with control characters escaped so a target cannot paint the terminal.
func snippet(b []byte) string {
	const max = 160
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "(empty body)"
	}
	cut := len(b) > max
	if cut {
		b = b[:max]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	var out strings.Builder
	for _, r := range string(b) {
		if unicode.IsGraphic(r) {
			out.WriteRune(r)
		} else {
			q := strconv.QuoteRune(r)
			out.WriteString(q[1 : len(q)-1])
		}
	}
	if cut {
		out.WriteString("...")
	}
	return out.String()
}

// sameJSON reports whether two JSON texts encode the same value.
func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
