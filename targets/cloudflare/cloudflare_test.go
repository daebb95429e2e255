package cloudflare

import (
	"strings"
	"testing"
	"time"

	"versus/targets"
)

func TestNew(t *testing.T) {
	cases := []struct {
		name    string
		cfg     targets.Config
		wantErr string
		check   func(*testing.T, *Target)
	}{
		{name: "a bare entry runs locally with a one-minute cron", cfg: targets.Config{Name: "cloudflare"},
			check: func(t *testing.T, tg *Target) {
				if tg.url != "" || tg.cronPeriod != time.Minute {
					t.Errorf("url %q, cron period %v", tg.url, tg.cronPeriod)
				}
			}},
		{name: "cron_period sets the local tick period", cfg: targets.Config{Name: "cf", Kind: "cloudflare", Options: map[string]string{"cron_period": "2s"}},
			check: func(t *testing.T, tg *Target) {
				if tg.cronPeriod != 2*time.Second {
					t.Errorf("cron period %v", tg.cronPeriod)
				}
			}},
		{name: "a url selects the deployed Worker, without its trailing slash", cfg: targets.Config{Name: "cf-prod", Kind: "cloudflare", URL: "https://versus.example.workers.dev/", Options: map[string]string{"secret_env": "CF_SECRET"}},
			check: func(t *testing.T, tg *Target) {
				if tg.url != "https://versus.example.workers.dev" {
					t.Errorf("url %q", tg.url)
				}
			}},
		{name: "worker_dir is kept for a local run", cfg: targets.Config{Name: "cf", Kind: "cloudflare", Options: map[string]string{"worker_dir": "worker"}},
			check: func(t *testing.T, tg *Target) {
				if tg.workerDir != "worker" {
					t.Errorf("worker dir %q", tg.workerDir)
				}
			}},
		{name: "a cron_period that is not a duration is refused", cfg: targets.Config{Name: "cf", Options: map[string]string{"cron_period": "often"}}, wantErr: "cron_period"},
		{name: "a cron_period under 100ms is refused", cfg: targets.Config{Name: "cf", Options: map[string]string{"cron_period": "1ms"}}, wantErr: "too short"},
		{name: "an unknown field is refused with the known ones", cfg: targets.Config{Name: "cf", Options: map[string]string{"colo": "ams"}}, wantErr: "cron_period, secret_env, url, worker_dir"},
		{name: "a secret pasted into secret_env is refused without being echoed", cfg: targets.Config{Name: "cf", URL: "https://x.workers.dev", Options: map[string]string{"secret_env": "whsec_abc-123"}}, wantErr: "must name an environment variable"},
		{name: "secret_env without url is refused", cfg: targets.Config{Name: "cf", Options: map[string]string{"secret_env": "X"}}, wantErr: "secret_env is for a deployed Worker"},
		{name: "cron_period with url is refused", cfg: targets.Config{Name: "cf", URL: "https://x.workers.dev", Options: map[string]string{"cron_period": "1s"}}, wantErr: "cron_period applies to a local Worker"},
		{name: "worker_dir with url is refused", cfg: targets.Config{Name: "cf", URL: "https://x.workers.dev", Options: map[string]string{"worker_dir": "w"}}, wantErr: "worker_dir applies to a local Worker"},
		{name: "a url without scheme is refused", cfg: targets.Config{Name: "cf", URL: "versus.workers.dev"}, wantErr: "url"},
		{name: "a url with a query is refused", cfg: targets.Config{Name: "cf", URL: "https://x.workers.dev/?a=1"}, wantErr: "url"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tg, err := New(c.cfg)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				if strings.Contains(err.Error(), "whsec_abc-123") {
					t.Errorf("error echoes the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, tg.(*Target))
		})
	}
}

func TestRegisteredAsABuiltinKind(t *testing.T) {
	k, ok := targets.Lookup("cloudflare")
	if !ok || !k.Builtin {
		t.Fatalf("kind cloudflare registered %v, builtin %v", ok, k.Builtin)
	}
	for _, f := range []string{"url", "cron_period", "secret_env", "worker_dir"} {
		if k.Fields[f] == "" {
			t.Errorf("field %s has no help line", f)
		}
	}
	tg, err := targets.New(targets.Config{Name: "cloudflare"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tg.(*Target); !ok {
		t.Errorf("targets.New built %T", tg)
	}
}
