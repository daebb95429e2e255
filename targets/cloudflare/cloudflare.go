package cloudflare

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"versus/targets"
)

// DefaultCronPeriod is the finest Cron Triggers schedule: once a minute.
const DefaultCronPeriod = time.Minute

// minCronPeriod keeps a mistyped cron_period from flooding the Worker.
const minCronPeriod = 100 * time.Millisecond

// fields are the suite fields of kind cloudflare, with their help lines.
var fields = map[string]string{
	"url":         "base URL of a Worker deployed with `npx wrangler deploy` (https://versus.ACCOUNT.workers.dev); nothing is started locally. Without it the Worker runs on this machine on wrangler's local runtime (needs Node.js 20.3+ and npm)",
	"cron_period": "local only: Go duration between cron ticks, fired at wall-clock boundaries (default 1m, as Cron Triggers; 1s for quick runs). A deployed Worker's Cron Trigger fires every minute",
	"secret_env":  "remote only: environment variable holding the secret set with `npx wrangler secret put VERSUS_WEBHOOK_SECRET`; the harness signs with it (default: the suite's secret_env). Locally the run's own secret is handed to the Worker",
	"worker_dir":  "local only: the Worker project folder to run (default: the copy built into versus, unpacked in the user cache folder); node_modules is installed with npm ci when missing",
}

func init() {
	targets.Register(targets.Kind{
		Name:    "cloudflare",
		Builtin: true,
		Summary: "the real Cloudflare Worker (D1, Durable Objects, Queues, Cron): on wrangler's local runtime, or deployed (url)",
		Fields:  fields,
		New:     New,
	})
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Target is the Cloudflare Worker, local or deployed.
type Target struct {
	name string
	// url is the deployed Worker's base URL; empty for a local run.
	url        string
	cronPeriod time.Duration
	workerDir  string
}

// New checks a suite entry; every error names the field at fault.
func New(cfg targets.Config) (targets.Target, error) {
	name := cfg.Name
	if name == "" {
		name = "cloudflare"
	}
	fail := func(format string, a ...any) (targets.Target, error) {
		return nil, fmt.Errorf("target %s (kind cloudflare): %s", name, fmt.Sprintf(format, a...))
	}
	t := &Target{name: name, cronPeriod: DefaultCronPeriod}
	for field, v := range cfg.Options {
		switch field {
		case "cron_period":
			d, err := time.ParseDuration(v)
			if err != nil {
				return fail("cron_period %q is not a Go duration (write it like 1s, 500ms or 1m)", v)
			}
			if d < minCronPeriod {
				return fail("cron_period %s is too short: use at least %s (Cloudflare's own minimum is 1m)", d, minCronPeriod)
			}
			t.cronPeriod = d
		case "secret_env":
			if !envName.MatchString(v) {
				return fail("secret_env must name an environment variable (like VERSUS_WEBHOOK_SECRET), not hold the secret itself")
			}
		case "worker_dir":
			if v == "" {
				return fail("worker_dir is empty: give the Worker project folder, or leave the field out")
			}
			t.workerDir = v
		default:
			return fail("unknown field %q (kind cloudflare reads %s)", field, fieldNames())
		}
	}
	if cfg.URL == "" {
		if _, ok := cfg.Options["secret_env"]; ok {
			return fail("secret_env is for a deployed Worker (with url); a local Worker gets the run's own secret")
		}
		return t, nil
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fail("url %q: want the deployed Worker's base URL, like https://versus.ACCOUNT.workers.dev", cfg.URL)
	}
	for _, local := range []string{"cron_period", "worker_dir"} {
		if _, ok := cfg.Options[local]; ok {
			return fail("%s applies to a local Worker; with url the deployed Worker runs as deployed (its Cron Trigger fires every minute)", local)
		}
	}
	t.url = strings.TrimSuffix(cfg.URL, "/")
	return t, nil
}

func fieldNames() string {
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// Start runs the Worker locally, or checks the deployed one.
func (t *Target) Start(ctx context.Context, env targets.Env) (targets.Instance, error) {
	if t.url != "" {
		return startRemote(ctx, t.name, t.url, env)
	}
	period := t.cronPeriod
	if env.CronPeriod > 0 {
		period = env.CronPeriod
	}
	return startLocal(ctx, localConfig{name: t.name, workerDir: t.workerDir, cronPeriod: period}, env)
}
