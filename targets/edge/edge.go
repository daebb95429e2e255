package edge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"versus/targets"
)

// minCronPeriod keeps a mistyped cron_period from spinning the dispatcher.
const minCronPeriod = 10 * time.Millisecond

func init() {
	targets.Register(targets.Kind{
		Name:    "edge",
		Builtin: true,
		Summary: "embedded edge-style model: stateless handlers, SQLite state service over a network hop, relay actors, alarm/cron/queue jobs",
		Fields: map[string]string{
			"cron_period": "Go duration between cron dispatches, aligned to the wall clock (default 60s, the Cron Triggers minimum; 1s for quick runs)",
		},
		New: New,
	})
}

// Target is the edge-style reference backend, configured and ready to
// start. It implements targets.Target and targets.Server.
type Target struct {
	cronPeriod time.Duration
	queue      queueConfig
}

var (
	_ targets.Target = (*Target)(nil)
	_ targets.Server = (*Target)(nil)
)

// New builds the edge target from its suite entry; it reads the field
// cron_period.
func New(cfg targets.Config) (targets.Target, error) {
	t := &Target{cronPeriod: DefaultCronPeriod, queue: productionQueue}
	if s, ok := cfg.Options["cron_period"]; ok {
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("target %s: cron_period %q is not a Go duration (write it like 1s, 500ms or 1m)", cfg.Name, s)
		}
		if d < minCronPeriod {
			return nil, fmt.Errorf("target %s: cron_period %s is too short: use at least %s (Cloudflare's own minimum is 1m)", cfg.Name, d, minCronPeriod)
		}
		t.cronPeriod = d
	}
	return t, nil
}

// Start runs the edge model on loopback ports. Env.CronPeriod, when set,
// overrides cron_period.
func (t *Target) Start(ctx context.Context, env targets.Env) (targets.Instance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, err := t.start(env, "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return &instance{s: s}, nil
}

// Serve runs the edge model with its contract routes on addr until ctx is
// done (`versus serve edge`). The webhook secret is Env.WebhookSecret or
// else the environment variable VERSUS_WEBHOOK_SECRET.
func (t *Target) Serve(ctx context.Context, addr string, env targets.Env) error {
	if env.WebhookSecret == "" {
		env.WebhookSecret = os.Getenv("VERSUS_WEBHOOK_SECRET")
	}
	if env.WebhookSecret == "" {
		return errors.New("edge: no webhook secret: set VERSUS_WEBHOOK_SECRET to the secret the webhooks are signed with")
	}
	s, err := t.start(env, addr)
	if err != nil {
		return err
	}
	s.log.Printf("serving contract v1 at %s (state service at %s, data in %s)", s.url, s.stateAddr, s.dir)
	select {
	case <-ctx.Done():
	case err = <-s.failed:
	}
	return errors.Join(err, s.close())
}

// instance is a started edge model.
type instance struct{ s *system }

func (i *instance) Discovery() targets.Discovery { return discovery }
func (i *instance) URL() string                  { return i.s.url }
func (i *instance) Close() error                 { return i.s.close() }
