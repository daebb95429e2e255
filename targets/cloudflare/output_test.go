package cloudflare

import (
	"bytes"
	"strings"
	"testing"
)

const testSecret = "whsec_cloudflare_adapter_test"

func TestOutput(t *testing.T) {
	t.Run("the secret is masked even when split across writes", func(t *testing.T) {
		var log bytes.Buffer
		o := newOutput(&log, testSecret, 10)
		line := "binding VERSUS_WEBHOOK_SECRET=" + testSecret + " loaded\n"
		o.Write([]byte(line[:35]))
		o.Write([]byte(line[35:]))
		if strings.Contains(log.String(), testSecret) || strings.Contains(o.Tail(), testSecret) {
			t.Fatalf("secret leaked: %q", log.String())
		}
		if !strings.Contains(log.String(), secretMask) {
			t.Errorf("no mask in %q", log.String())
		}
	})

	t.Run("the tail keeps the last lines and Flush passes an unfinished one", func(t *testing.T) {
		o := newOutput(nil, "", 2)
		o.Write([]byte("one\ntwo\nthree\nfour"))
		o.Flush()
		if got := o.Tail(); got != "  three\n  four" {
			t.Errorf("tail %q", got)
		}
	})

	t.Run("an empty tail says so", func(t *testing.T) {
		if got := newOutput(nil, "", 2).Tail(); got != "  (no output)" {
			t.Errorf("tail %q", got)
		}
	})
}

// FuzzOutputNeverShowsTheSecret splits output around a secret in any way
// and checks it never reaches the log or the tail.
func FuzzOutputNeverShowsTheSecret(f *testing.F) {
	f.Add("before ", " after\nnext line", 3)
	f.Add("", "\n", 0)
	f.Add("a\nb", "c\r\nd", 17)
	f.Fuzz(func(t *testing.T, before, after string, cut int) {
		text := before + testSecret + after
		if cut < 0 {
			cut = -cut
		}
		cut %= len(text) + 1
		var log bytes.Buffer
		o := newOutput(&log, testSecret, 5)
		o.Write([]byte(text[:cut]))
		o.Write([]byte(text[cut:]))
		o.Flush()
		if strings.Contains(log.String(), testSecret) || strings.Contains(o.Tail(), testSecret) {
			t.Fatalf("secret in output: log %q", log.String())
		}
	})
}
