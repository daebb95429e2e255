package cloudflare

import (
	"bytes"
	"slices"
	"testing"
)

func TestReadyLine(t *testing.T) {
	ready := make(chan string, 1)
	var rest bytes.Buffer
	r := &readyLine{ready: ready, rest: &rest}
	for _, chunk := range []string{"warming up\n{\"url\":\"http://127.0.", "0.1:4242\"}\n", "{\"url\":\"http://other\"}\n"} {
		r.Write([]byte(chunk))
	}
	if got := <-ready; got != "http://127.0.0.1:4242" {
		t.Errorf("ready %q", got)
	}
	if want := "warming up\n{\"url\":\"http://other\"}\n"; rest.String() != want {
		t.Errorf("other lines %q, want %q", rest.String(), want)
	}
}

func TestWorkerEnv(t *testing.T) {
	environ := []string{"PATH=/bin", "VERSUS_WEBHOOK_SECRET=from-the-shell", "HOME=/root"}
	t.Run("the run's secret replaces one from the environment", func(t *testing.T) {
		got := workerEnv(environ, testSecret)
		want := []string{"PATH=/bin", "HOME=/root", "VERSUS_WEBHOOK_SECRET=" + testSecret}
		if !slices.Equal(got, want) {
			t.Errorf("env %q", got)
		}
	})
	t.Run("without a secret none is passed", func(t *testing.T) {
		if got := workerEnv(environ, ""); !slices.Equal(got, []string{"PATH=/bin", "HOME=/root"}) {
			t.Errorf("env %q", got)
		}
	})
}
