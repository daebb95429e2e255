package runner

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

// maskWriter replaces the secret with a fixed mark in everything a target
// writes to its log, so a target that echoes its configuration cannot leak
// the secret into the run directory. A secret split across two writes is
// caught by holding back a tail as long as the secret.
type maskWriter struct {
	mu     sync.Mutex
	w      io.Writer
	secret []byte
	held   []byte
}

const secretMark = "[secret]"

func (m *maskWriter) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.secret) == 0 {
		return m.w.Write(p)
	}
	buf := append(m.held, p...)
	buf = bytes.ReplaceAll(buf, m.secret, []byte(secretMark))
	keep := min(len(m.secret)-1, len(buf))
	m.held = append([]byte(nil), buf[len(buf)-keep:]...)
	if _, err := m.w.Write(buf[:len(buf)-keep]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what was held back: at the end no secret can follow it.
func (m *maskWriter) Flush() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, err := m.w.Write(m.held)
	m.held = nil
	return err
}

// Close flushes, then closes the underlying writer if it can be closed.
func (m *maskWriter) Close() error {
	err := m.Flush()
	if c, ok := m.w.(io.Closer); ok {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// mask removes the secret from a message.
func mask(s string, secret []byte) string {
	if len(secret) == 0 {
		return s
	}
	return strings.ReplaceAll(s, string(secret), secretMark)
}
