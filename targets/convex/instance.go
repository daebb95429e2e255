package convex

import (
	"errors"
	"io"
	"net/http"
	"sync"

	"versus/targets"
)

// Instance is a started Convex target. Its contract HTTP routes are the
// app's HTTP actions at site_url; subscriptions and mutation publishing go
// over the sync protocol at url.
type Instance struct {
	s         settings
	key       string // deploy key: sent to Convex only, never logged
	secret    string // webhook secret: handed to the harness for signing only
	discovery targets.Discovery
	http      *http.Client
	log       io.Writer
	pool      *clientPool

	mu     sync.Mutex
	subs   map[*subscription]struct{}
	closed bool
}

var (
	_ targets.Instance   = (*Instance)(nil)
	_ targets.Subscriber = (*Instance)(nil)
	_ targets.Publisher  = (*Instance)(nil)
)

// errInstanceClosed is returned by an Instance used after Close.
var errInstanceClosed = errors.New("convex: target instance closed")

func newInstance(s settings, key, secret string, d targets.Discovery, httpClient *http.Client, log io.Writer) *Instance {
	in := &Instance{s: s, key: key, secret: secret, discovery: d, http: httpClient, log: log, subs: map[*subscription]struct{}{}}
	in.pool = newClientPool(s.url, clientOptions(key, log), s.latestLimit)
	return in
}

// Discovery is what site_url's GET /contract declared, with "subscribe"
// added (the adapter provides it) and "webhook" removed when the webhook
// secret is not in the environment (the harness could not sign).
func (in *Instance) Discovery() targets.Discovery { return in.discovery }

// URL is site_url, where the app's HTTP actions serve the contract routes.
func (in *Instance) URL() string { return in.s.siteURL }

// WebhookSecret is the secret the deployment verifies webhook signatures
// with, read from the secret_env variable ("" when unset). The harness must
// sign this target's webhooks with it rather than a per-run secret, since
// the deployment holds its own (npx convex env set). Never log it.
func (in *Instance) WebhookSecret() string { return in.secret }

// Close ends every subscription and publisher connection.
func (in *Instance) Close() error {
	in.mu.Lock()
	if in.closed {
		in.mu.Unlock()
		return nil
	}
	in.closed = true
	subs := in.subs
	in.subs = nil
	in.mu.Unlock()
	for s := range subs {
		s.client.Close()
	}
	in.pool.close()
	in.http.CloseIdleConnections()
	return nil
}
