package harness

import (
	"strings"
	"sync"
)

// tailSize is how much of a child's stderr is kept to explain a failure.
const tailSize = 4096

// tail keeps the last bytes written to it: enough of a child's stderr to
// say why it failed, without holding a long run's log in memory.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailSize {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailSize:]...)
	}
	return len(p), nil
}

// String is the kept text, trimmed, or a note that there was none.
func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.buf))
	if s == "" {
		return "(no output)"
	}
	return s
}
