package convex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"versus/targets"
)

func init() {
	targets.Register(targets.Kind{
		Name:    "convex",
		Summary: "a Convex deployment running targets/convex/app: HTTP actions for the contract routes, the sync protocol (spoken natively) for subscriptions",
		Fields:  fields,
		New: func(cfg targets.Config) (targets.Target, error) {
			return New(cfg)
		},
	})
}

// preflightTimeout bounds Start's checks of the deployment.
const preflightTimeout = 20 * time.Second

// preflightChannel is the channel the preflight subscribes to; it only
// needs to exist as a name.
const preflightChannel = "versus-preflight"

// Target is a configured Convex deployment.
type Target struct {
	s settings
}

// New validates a suite entry of kind convex.
func New(cfg targets.Config) (*Target, error) {
	s, err := parseConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Target{s: s}, nil
}

// Start reads the deploy key from the environment, then checks the
// deployment before the run relies on it: the sync protocol
// answers at url and serves the app's channels:latest (with the deploy key
// accepted, when one is set), and site_url answers GET /contract. Each
// failure says what to fix.
func (t *Target) Start(ctx context.Context, env targets.Env) (targets.Instance, error) {
	var key string
	if t.s.deployKeyEnv != "" {
		if key = os.Getenv(t.s.deployKeyEnv); key == "" {
			return nil, t.errorf("field deploy_key_env names %s, but that environment variable is empty or unset: export it with a deploy key from the Convex dashboard (Settings > URL & Deploy Key), or drop deploy_key_env", t.s.deployKeyEnv)
		}
	}
	httpClient := &http.Client{Timeout: 30 * time.Second, Transport: transport()}
	pctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	if err := t.checkSync(pctx, key, env.Log); err != nil {
		return nil, err
	}
	d, err := t.discover(pctx, httpClient)
	if err != nil {
		return nil, err
	}
	return newInstance(t.s, key, d, httpClient, env.Log), nil
}

func (t *Target) errorf(format string, a ...any) error {
	return fmt.Errorf("target %q (kind convex): %s", t.s.name, fmt.Sprintf(format, a...))
}

// checkSync opens a sync session and subscribes to channels:latest once.
func (t *Target) checkSync(ctx context.Context, key string, log io.Writer) error {
	c, err := Dial(ctx, t.s.url, clientOptions(key, log)...)
	if err != nil {
		return t.errorf("cannot open the sync protocol's WebSocket at url %s: %v. Check that url is the deployment's https://NAME.convex.cloud origin", t.s.url, err)
	}
	defer c.Close()
	err = c.Subscribe(ctx, latestFunction, latestArgs(preflightChannel, t.s.latestLimit), func(QueryResult) {})
	var auth *AuthError
	var fn *FunctionError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &auth):
		return t.errorf("the deployment rejected the deploy key in %s (%s): create a deploy key for this deployment in the Convex dashboard (Settings > URL & Deploy Key) and export it as %s", t.s.deployKeyEnv, auth.Message, t.s.deployKeyEnv)
	case errors.As(err, &fn) && missingFunction(fn):
		return t.errorf("the deployment at %s has no function %s: deploy targets/convex/app with `cd targets/convex/app && npm ci && npx convex deploy` (docs/convex.md)", t.s.url, latestFunction)
	case errors.As(err, &fn):
		return t.errorf("%s failed on the deployment: %s. Redeploy targets/convex/app from this checkout (npx convex deploy)", latestFunction, fn.Message)
	case errors.Is(err, context.DeadlineExceeded):
		return t.errorf("no answer from the sync protocol at %s within %v: check the deployment's health in the Convex dashboard", t.s.url, preflightTimeout)
	default:
		return t.errorf("sync protocol check at %s: %v", t.s.url, err)
	}
}

// missingFunction recognizes Convex's error for a function that is not
// deployed.
func missingFunction(err *FunctionError) bool {
	return strings.Contains(err.Message, "Could not find public function")
}

// discover reads GET site_url/contract.
func (t *Target) discover(ctx context.Context, httpClient *http.Client) (targets.Discovery, error) {
	var d targets.Discovery
	where := t.s.siteURL + "/contract"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, where, nil)
	if err != nil {
		return d, t.errorf("field site_url: %v", err)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return d, t.errorf("GET %s: %v. Check site_url: the deployment's https://NAME.convex.site origin", where, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return d, t.errorf("GET %s answered %s: site_url must be the deployment's https://NAME.convex.site origin, serving targets/convex/app's HTTP routes (deploy with `npx convex deploy`)", where, resp.Status)
	}
	if err := json.Unmarshal(body, &d); err != nil || d.Contract == 0 {
		return d, t.errorf("GET %s answered %s, not contract discovery JSON: is site_url the origin of targets/convex/app's HTTP actions?", where, truncate(string(body), 80))
	}
	if d.Contract != targets.ContractVersion {
		return d, t.errorf("GET %s declares contract %d; this Versus speaks %d: redeploy targets/convex/app from this checkout", where, d.Contract, targets.ContractVersion)
	}
	return d, nil
}

// clientOptions are the sync client's options for this adapter.
func clientOptions(key string, log io.Writer) []Option {
	opts := []Option{WithLog(log)}
	if key != "" {
		opts = append(opts, WithAdminKey(key))
	}
	return opts
}

// transport keeps enough idle connections for a benchmark's concurrency.
func transport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 1024
	tr.MaxIdleConnsPerHost = 1024
	return tr
}
