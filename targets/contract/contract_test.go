package contract_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"versus/targets"
	"versus/targets/contract"
)

func TestNewChecksTheSuiteEntry(t *testing.T) {
	cases := []struct {
		name string
		cfg  targets.Config
		want string // "" for accepted
	}{
		{"an http url is accepted", targets.Config{Name: "m", Kind: "contract", URL: "http://127.0.0.1:8080"}, ""},
		{"an https url with a base path is accepted", targets.Config{Name: "m", Kind: "contract", URL: "https://x.example/base/"}, ""},
		{"a secret_env is accepted", targets.Config{Name: "m", Kind: "contract", URL: "http://h", Options: map[string]string{"secret_env": "MY_SECRET"}}, ""},
		{"a missing url is refused", targets.Config{Name: "m", Kind: "contract"}, "url is required"},
		{"a ws url is refused", targets.Config{Name: "m", Kind: "contract", URL: "ws://h"}, "want http://host:port"},
		{"a url without host is refused", targets.Config{Name: "m", Kind: "contract", URL: "http://"}, "want http://host:port"},
		{"a url with a query is refused", targets.Config{Name: "m", Kind: "contract", URL: "http://h/?a=1"}, "no query"},
		{"a bad secret_env is refused", targets.Config{Name: "m", Kind: "contract", URL: "http://h", Options: map[string]string{"secret_env": "A-B"}}, "not an environment variable"},
		{"an unknown field is refused", targets.Config{Name: "m", Kind: "contract", URL: "http://h", Options: map[string]string{"rate": "1"}}, `unknown field "rate"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := targets.New(c.cfg)
			if c.want == "" && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestSecretEnvDefaultsToVersusWebhookSecret(t *testing.T) {
	if got := contract.SecretEnv(targets.Config{}); got != "VERSUS_WEBHOOK_SECRET" {
		t.Fatalf("default %q", got)
	}
	if got := contract.SecretEnv(targets.Config{Options: map[string]string{"secret_env": "X"}}); got != "X" {
		t.Fatalf("named %q", got)
	}
}

func serve(t *testing.T, status int, body string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/base/contract" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/base/"
}

func TestStartChecksDiscovery(t *testing.T) {
	good := `{"contract":1,"name":"mine","model":"edge","capabilities":["http","schedule"],"schedule_via":["alarm"]}`
	cases := []struct {
		name   string
		status int
		body   string
		want   string // "" for started
	}{
		{"a contract v1 server starts", 200, good, ""},
		{"an unknown capability is tolerated", 200, `{"contract":1,"model":"other","capabilities":["http","teleport"]}`, ""},
		{"a 404 asks whether it is a contract server", 404, "", "answered 404 Not Found"},
		{"non-JSON is refused", 200, "<html>", "not contract JSON"},
		{"another contract version is refused", 200, `{"contract":2,"model":"edge"}`, "speaks contract 2"},
		{"an unknown model is refused", 200, `{"contract":1,"model":"serverless"}`, `model "serverless"`},
		{"schedule without schedule_via is refused", 200, `{"contract":1,"model":"edge","capabilities":["schedule"]}`, "no schedule_via"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := serve(t, c.status, c.body)
			tg, err := contract.New(targets.Config{Name: "m", Kind: "contract", URL: base})
			if err != nil {
				t.Fatal(err)
			}
			inst, err := tg.Start(context.Background(), targets.Env{})
			if c.want != "" {
				if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), strings.TrimSuffix(base, "/")) {
					t.Fatalf("err = %v, want one naming the URL and containing %q", err, c.want)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Fatalf("err %q spans lines", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if inst.URL() != strings.TrimSuffix(base, "/") {
				t.Fatalf("URL() = %q", inst.URL())
			}
			if inst.Discovery().Contract != 1 || inst.Close() != nil {
				t.Fatalf("instance %+v", inst.Discovery())
			}
		})
	}
}

func TestStartSaysWhenTheServerIsNotReachable(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	tg, _ := contract.New(targets.Config{Name: "m", Kind: "contract", URL: "http://" + addr})
	_, err := tg.Start(context.Background(), targets.Env{})
	if err == nil || !strings.Contains(err.Error(), "http://"+addr+" is not reachable") {
		t.Fatalf("err = %v", err)
	}
}

func TestStartGivesUpOnASilentServer(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the discovery timeout")
	}
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	tg, _ := contract.New(targets.Config{Name: "m", Kind: "contract", URL: srv.URL})
	began := time.Now()
	_, err := tg.Start(context.Background(), targets.Env{})
	if err == nil || !strings.Contains(err.Error(), "no answer within 5s") || time.Since(began) > 7*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(began))
	}
}
