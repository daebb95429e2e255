package cloudflare

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

// secretMask replaces the webhook secret wherever a child's output shows it.
const secretMask = "[webhook secret]"

// output takes a child process's output: it splits it into lines, masks
// the secret in each, forwards them to log and keeps the last few for
// error messages. Masking works on whole lines, so a secret split across
// two writes is still caught.
type output struct {
	mu      sync.Mutex
	log     io.Writer
	secret  string
	partial []byte
	tail    []string
	keep    int
}

func newOutput(log io.Writer, secret string, keep int) *output {
	return &output{log: log, secret: secret, keep: keep}
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.partial = append(o.partial, p...)
	for {
		i := bytes.IndexByte(o.partial, '\n')
		if i < 0 {
			break
		}
		o.line(string(o.partial[:i]))
		o.partial = o.partial[i+1:]
	}
	return len(p), nil
}

// Flush passes on a last line that has no newline.
func (o *output) Flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.partial) > 0 {
		o.line(string(o.partial))
		o.partial = nil
	}
}

func (o *output) line(s string) {
	s = strings.TrimRight(s, "\r")
	if o.secret != "" {
		s = strings.ReplaceAll(s, o.secret, secretMask)
	}
	if o.log != nil {
		io.WriteString(o.log, s+"\n")
	}
	o.tail = append(o.tail, s)
	if len(o.tail) > o.keep {
		o.tail = o.tail[len(o.tail)-o.keep:]
	}
}

// Tail returns the last lines kept, indented, or a note that there were none.
func (o *output) Tail() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.tail) == 0 {
		return "  (no output)"
	}
	return "  " + strings.Join(o.tail, "\n  ")
}
