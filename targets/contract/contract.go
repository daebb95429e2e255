// Package contract is the generic adapter for any server that speaks
// contract v1: the harness starts nothing, it checks GET /contract and then
// drives the routes. The webhook secret is the runner's business (it reads
// the environment variable named by secret_env).
package contract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"time"

	"versus/targets"
)

// DefaultSecretEnv is the environment variable holding the webhook secret
// of a server the harness does not start.
const DefaultSecretEnv = "VERSUS_WEBHOOK_SECRET"

// DiscoveryTimeout bounds GET /contract at Start.
const DiscoveryTimeout = 5 * time.Second

func init() {
	targets.Register(targets.Kind{
		Name:    "contract",
		Summary: "any server speaking target contract v1, at a URL",
		Fields: map[string]string{
			"url":        "base URL of the contract routes, http:// or https:// (required)",
			"secret_env": "environment variable holding the webhook secret the server verifies with (default " + DefaultSecretEnv + ")",
		},
		New: New,
	})
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Target is a contract v1 server at a URL.
type Target struct {
	name string
	url  string
}

// New checks the suite entry: a url of http or https, and a well-formed
// secret_env if given.
func New(cfg targets.Config) (targets.Target, error) {
	if cfg.URL == "" {
		return nil, fmt.Errorf("target %s: url is required, e.g. url: http://127.0.0.1:8080", cfg.Name)
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("target %s: url %q: want http://host:port or https://host", cfg.Name, cfg.URL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("target %s: url %q: a base URL takes no query or fragment", cfg.Name, cfg.URL)
	}
	for field, v := range cfg.Options {
		switch field {
		case "secret_env":
			if !envName.MatchString(v) {
				return nil, fmt.Errorf("target %s: secret_env %q is not an environment variable name", cfg.Name, v)
			}
		default:
			return nil, fmt.Errorf("target %s: unknown field %q (contract reads url and secret_env)", cfg.Name, field)
		}
	}
	return &Target{name: cfg.Name, url: strings.TrimSuffix(cfg.URL, "/")}, nil
}

// SecretEnv is the environment variable cfg names for its webhook secret.
func SecretEnv(cfg targets.Config) string {
	if v := cfg.Options["secret_env"]; v != "" {
		return v
	}
	return DefaultSecretEnv
}

// Start reads and checks GET /contract. Its errors are one line naming
// the URL and what failed.
func (t *Target) Start(ctx context.Context, _ targets.Env) (targets.Instance, error) {
	ctx, cancel := context.WithTimeout(ctx, DiscoveryTimeout)
	defer cancel()
	d, err := discover(ctx, t.url)
	if err != nil {
		return nil, err
	}
	return &instance{discovery: d, url: t.url}, nil
}

func discover(ctx context.Context, base string) (targets.Discovery, error) {
	var d targets.Discovery
	where := base + "/contract"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, where, nil)
	if err != nil {
		return d, fmt.Errorf("GET %s: %w", where, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			return d, fmt.Errorf("%s is not reachable (connection refused): start the server or fix the url", base)
		case errors.Is(err, context.DeadlineExceeded):
			return d, fmt.Errorf("GET %s: no answer within %v: is the server up and reachable?", where, DiscoveryTimeout)
		}
		return d, fmt.Errorf("%s is not reachable: %v", base, oneLine(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return d, fmt.Errorf("GET %s: reading the answer: %v", where, err)
	}
	if resp.StatusCode != http.StatusOK {
		return d, fmt.Errorf("GET %s answered %s: is this a Versus contract v1 server?", where, resp.Status)
	}
	if err := json.Unmarshal(body, &d); err != nil {
		return d, fmt.Errorf("GET %s: answer is not contract JSON (%v): is this a Versus contract v1 server?", where, oneLine(err.Error()))
	}
	switch {
	case d.Contract != targets.ContractVersion:
		return d, fmt.Errorf("GET %s: server speaks contract %d; this Versus speaks contract %d", where, d.Contract, targets.ContractVersion)
	case d.Model != targets.ModelEdge && d.Model != targets.ModelIntegrated && d.Model != targets.ModelOther:
		return d, fmt.Errorf("GET %s: model %q: want %s, %s or %s", where, d.Model, targets.ModelEdge, targets.ModelIntegrated, targets.ModelOther)
	case d.Has(targets.CapSchedule) && len(d.ScheduleVia) == 0:
		return d, fmt.Errorf("GET %s: declares %q but no schedule_via", where, targets.CapSchedule)
	}
	return d, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

type instance struct {
	discovery targets.Discovery
	url       string
}

func (i *instance) Discovery() targets.Discovery { return i.discovery }
func (i *instance) URL() string                  { return i.url }

// Close does nothing: the harness did not start the server.
func (i *instance) Close() error { return nil }
