package crashtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

// client bounds every request: a delivery caught by the kill must fail,
// not hang the stream.
var client = &http.Client{Timeout: 5 * time.Second}

// checkBatch is the most ids contract v1 takes in one check request.
const checkBatch = 1000

// checkInBatches posts ids to a contract check route (…/check) in batches
// of checkBatch, handing each decoded answer to collect.
func checkInBatches[T any](t testing.TB, url string, ids []string, collect func(T)) {
	t.Helper()
	for i := 0; i < len(ids); i += checkBatch {
		var out T
		postJSON(t, url, map[string][]string{"ids": ids[i:min(i+checkBatch, len(ids))]}, http.StatusOK, &out)
		collect(out)
	}
}

// postJSON posts in as JSON, fails the test unless the answer has status
// want, and decodes it into out (if not nil).
func postJSON(t testing.TB, url string, in any, want int, out any) {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("POST %s: encode the body: %v", url, err)
	}
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: read the answer: %v", url, err)
	}
	if resp.StatusCode != want {
		t.Fatalf("POST %s: HTTP %d, want %d: %s", url, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("POST %s: decode %q: %v", url, raw, err)
		}
	}
}
