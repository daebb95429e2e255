package convex

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"versus/targets"
)

// Ways to publish a message (the suite field publish_via).
const (
	// PublishViaHTTP posts to the app's HTTP action,
	// POST site_url/channels/{name}/messages, as any contract target.
	PublishViaHTTP = "http"
	// PublishViaMutation sends channels:publish as a Mutation on a sync
	// WebSocket, as a Convex web client would.
	PublishViaMutation = "mutation"
	// PublishViaAPI calls channels:publish through Convex's HTTP API,
	// POST url/api/mutation, as a server-side client would.
	PublishViaAPI = "api"
)

// fields are the suite fields of kind convex, with their help lines.
var fields = map[string]string{
	"url":            "the deployment's origin for the sync protocol and HTTP API, https://NAME.convex.cloud (required)",
	"site_url":       "the deployment's HTTP actions origin serving the contract routes, https://NAME.convex.site (required)",
	"deploy_key_env": "name of the environment variable holding a deploy key; publishers and the preflight authenticate with it (optional)",
	"secret_env":     "name of the environment variable holding the webhook secret the deployment verifies with (set there with npx convex env set VERSUS_WEBHOOK_SECRET); the harness signs with it (default: the suite's secret_env, VERSUS_WEBHOOK_SECRET)",
	"publish_via":    "how messages are published: http (the app's HTTP action, default), mutation (sync protocol) or api (HTTP API)",
	"latest_limit":   "how many newest messages a subscriber's channels:latest query returns, 1 to 100 (default: the app's 20); a subscriber recovers at most this many after a stall or reconnect",
}

// maxLatestLimit is the app's bound on channels:latest's limit.
const maxLatestLimit = 100

var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// settings is a validated suite entry.
type settings struct {
	name         string
	url          string // origin, no trailing slash
	siteURL      string
	deployKeyEnv string
	publishVia   string
	latestLimit  int // 0: the app's default
}

// parseConfig validates a suite entry; every error names the field and
// says how to fix it.
func parseConfig(cfg targets.Config) (settings, error) {
	s := settings{name: cfg.Name, publishVia: PublishViaHTTP}
	fail := func(format string, a ...any) (settings, error) {
		return settings{}, fmt.Errorf("target %q (kind convex): %s", cfg.Name, fmt.Sprintf(format, a...))
	}
	for k := range cfg.Options {
		if _, ok := fields[k]; !ok || k == "url" {
			return fail("unknown field %q (kind convex reads %s)", k, strings.Join(fieldNames(), ", "))
		}
	}
	var err error
	if s.url, err = origin("url", cfg.URL, ".convex.cloud", ".convex.site"); err != nil {
		return fail("%v", err)
	}
	if s.siteURL, err = origin("site_url", cfg.Options["site_url"], ".convex.site", ".convex.cloud"); err != nil {
		return fail("%v", err)
	}
	if v, ok := cfg.Options["deploy_key_env"]; ok {
		if !envNamePattern.MatchString(v) {
			return fail("field deploy_key_env: %q is not an environment variable name; give the variable's name (e.g. CONVEX_DEPLOY_KEY), never the key itself", redactName(v))
		}
		s.deployKeyEnv = v
	}
	// The runner reads secret_env (the deployment is external to it);
	// a bad name is caught here, with the other fields.
	if v, ok := cfg.Options["secret_env"]; ok && !envNamePattern.MatchString(v) {
		return fail("field secret_env: %q is not an environment variable name; give the variable's name (e.g. VERSUS_WEBHOOK_SECRET), never the secret itself", redactName(v))
	}
	if v, ok := cfg.Options["publish_via"]; ok {
		switch v {
		case PublishViaHTTP, PublishViaMutation, PublishViaAPI:
			s.publishVia = v
		default:
			return fail("field publish_via: %q is not one of http, mutation, api", v)
		}
	}
	if v, ok := cfg.Options["latest_limit"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLatestLimit {
			return fail("field latest_limit: %q: want a whole number from 1 to %d, or leave it out for the app's default", v, maxLatestLimit)
		}
		s.latestLimit = n
	}
	return s, nil
}

// origin validates an origin field. want is the Convex host suffix the
// field takes; swapped is the other one, a common mix-up worth naming.
func origin(field, raw, want, swapped string) (string, error) {
	example := "https://NAME" + want
	if raw == "" {
		return "", fmt.Errorf("field %s is required: set it to the deployment's %s origin (shown by `npx convex dashboard`, Settings > URL & Deploy Key)", field, example)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("field %s: %q is not an origin like %s (scheme and host only; http:// is for a local backend)", field, raw, example)
	}
	if strings.HasSuffix(u.Hostname(), swapped) {
		return "", fmt.Errorf("field %s: %q is the %s origin; %s takes the %s one (%s), so url and site_url look swapped", field, raw, swapped, field, want, example)
	}
	return u.Scheme + "://" + u.Host, nil
}

// redactName keeps a mistaken value out of an error when it might be the
// secret itself pasted where its variable's name belongs.
func redactName(v string) string {
	if len(v) > 12 {
		return v[:4] + "...(redacted)"
	}
	return v
}

func fieldNames() []string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
