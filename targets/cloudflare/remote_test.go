package cloudflare

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"versus/targets"
)

func TestStartRemote(t *testing.T) {
	cases := []struct {
		name     string
		contract string
		wantErr  string
	}{
		{name: "the Versus Worker is accepted and nothing is started",
			contract: `{"contract":1,"name":"cloudflare","model":"edge","capabilities":["http"]}`},
		{name: "another contract server is refused with a pointer to kind contract",
			contract: `{"contract":1,"name":"edge","model":"edge","capabilities":["http"]}`, wantErr: "use kind: contract"},
		{name: "a server that is no contract server is refused",
			contract: `not json`, wantErr: "deployed Worker"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/contract" {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(c.contract))
			}))
			defer srv.Close()
			tg, err := New(targets.Config{Name: "cf-prod", Kind: "cloudflare", URL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			inst, err := tg.Start(context.Background(), targets.Env{})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close()
			if inst.URL() != srv.URL || inst.Discovery().Name != WorkerName {
				t.Errorf("URL %q, discovery %+v", inst.URL(), inst.Discovery())
			}
		})
	}
}
