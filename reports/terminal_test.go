package reports

import (
	"bytes"
	"testing"
)

func TestTerminal(t *testing.T) {
	r := standardRun(t, 3)
	var buf bytes.Buffer
	if err := Terminal(&buf, r); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + buf.String())
}
