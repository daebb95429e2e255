package integrated

import (
	"context"
	"fmt"
	"net"
	"time"

	"versus/targets"
)

// DefaultCronPeriod is the interval of the cron that runs jobs scheduled
// via "cron".
const DefaultCronPeriod = 60 * time.Second

func init() {
	targets.Register(targets.Kind{
		Name:    "integrated",
		Builtin: true,
		Summary: "embedded integrated-style backend (Convex-like): one process, SQLite, reactive subscriptions, runAfter scheduler",
		Fields: map[string]string{
			"cron_period": "interval of the cron that runs jobs scheduled via cron (Go duration, default 60s)",
		},
		New: New,
	})
}

// Target is the integrated backend as a suite configures it.
type Target struct {
	name       string
	cronPeriod time.Duration
}

// New builds the target from its suite entry.
func New(cfg targets.Config) (targets.Target, error) {
	t := &Target{name: cfg.Name, cronPeriod: DefaultCronPeriod}
	if t.name == "" {
		t.name = "integrated"
	}
	if cfg.URL != "" {
		return nil, fmt.Errorf("target %s: integrated runs inside Versus and takes no url; for a server of your own use kind: contract", t.name)
	}
	for field, v := range cfg.Options {
		switch field {
		case "cron_period":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("target %s: cron_period %q: want a positive Go duration such as 60s (Convex's shortest interval is 1s)", t.name, v)
			}
			t.cronPeriod = d
		default:
			return nil, fmt.Errorf("target %s: unknown field %q (integrated reads cron_period)", t.name, field)
		}
	}
	return t, nil
}

// Start runs the backend in this process on a loopback port.
func (t *Target) Start(ctx context.Context, env targets.Env) (targets.Instance, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("integrated: listen on loopback: %w", err)
	}
	n, err := start(t.name, t.cronPeriod, l, env)
	if err != nil {
		l.Close()
		return nil, err
	}
	return n, nil
}

// Serve runs the backend on addr until ctx is done (`versus serve`).
func (t *Target) Serve(ctx context.Context, addr string, env targets.Env) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("integrated: listen on %s: %w", addr, err)
	}
	n, err := start(t.name, t.cronPeriod, l, env)
	if err != nil {
		l.Close()
		return err
	}
	<-ctx.Done()
	return n.Close()
}
