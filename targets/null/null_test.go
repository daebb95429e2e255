package null_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"versus/targets"
	"versus/targets/null"
)

func TestNullAnswersOnlyTheFloorRoutes(t *testing.T) {
	tg, err := targets.New(targets.Config{Name: "null"})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := tg.Start(context.Background(), targets.Env{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	cases := []struct {
		name   string
		method string
		path   string
		status int
		body   string
	}{
		{"health answers ok", "GET", "/health", 200, `{"ok":true}`},
		{"contract declares only http", "GET", "/contract", 200, `{"contract":1,"name":"null","model":"other","capabilities":["http"]}`},
		{"items are not offered", "GET", "/items/a", 404, ""},
		{"a post to health is refused", "POST", "/health", 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, inst.URL()+c.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status || c.body != "" && string(body) != c.body {
				t.Fatalf("%d %s, want %d %s", resp.StatusCode, body, c.status, c.body)
			}
			if !json.Valid(body) {
				t.Fatalf("body %q is not JSON", body)
			}
		})
	}
	if d := inst.Discovery(); d.Model != targets.ModelOther || !d.Has(targets.CapHTTP) || d.Has(targets.CapItems) {
		t.Fatalf("Discovery() = %+v", d)
	}
	if err := inst.Close(); err != nil {
		t.Fatal(err)
	}
	if err := inst.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestNullTakesNoFields(t *testing.T) {
	if _, err := null.New(targets.Config{Name: "n", Kind: "null", URL: "http://127.0.0.1:1"}); err == nil {
		t.Fatal("accepted a url")
	}
}

func BenchmarkNullHealth(b *testing.B) {
	tg, _ := null.New(targets.Config{})
	h := tg.(*null.Target).Handler()
	req := httptest.NewRequest("GET", "/health", nil)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
}
