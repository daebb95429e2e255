package runner

import (
	"bytes"
	"strings"
	"testing"
)

func TestTheLogMaskHidesASecretSplitAcrossWritesAndLosesNothing(t *testing.T) {
	secret := []byte("whsec_0123456789abcdef")
	text := "starting with secret whsec_0123456789abcdef, listening; again whsec_0123456789abcdef. done"
	for split := 1; split < len(text); split += 7 {
		var out bytes.Buffer
		m := &maskWriter{w: &out, secret: secret}
		m.Write([]byte(text[:split]))
		m.Write([]byte(text[split:]))
		m.Flush()
		want := strings.ReplaceAll(text, string(secret), secretMark)
		if out.String() != want {
			t.Fatalf("split at %d: %q, want %q", split, out.String(), want)
		}
	}
}
