package conformance

import (
	"context"
	"os"
	"testing"
)

func TestShowBroken(t *testing.T) {
	inst, _ := AtURL(brokenServer(t).URL)
	Verify(context.Background(), inst, []byte(testSecret), Options{}).Write(os.Stdout)
}
