package costmodel

import (
	"os"
	"testing"
	"time"
)

func TestSmoke(t *testing.T) {
	if err := CLI(os.Stdout, CostArgs{Profile: os.Getenv("P"), Now: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
}
