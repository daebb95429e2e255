package reports

import (
	"io"
	"testing"
)

func BenchmarkWrite(b *testing.B) {
	r := standardRun(b, 5)
	dir := b.TempDir()
	for b.Loop() {
		if err := Write(dir, r, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTerminal(b *testing.B) {
	r := standardRun(b, 5)
	for b.Loop() {
		if err := Terminal(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
