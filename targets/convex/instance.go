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
	discovery targets.Discovery
	http      *http.Client
	pool      *clientPool
	// subscriberOptions configure subscribers' connections: no
	// credentials, as the browsers they stand for.
	subscriberOptions []Option

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

func newInstance(s settings, key string, d targets.Discovery, httpClient *http.Client, log io.Writer) *Instance {
	in := &Instance{s: s, key: key, discovery: d, http: httpClient, subscriberOptions: []Option{WithLog(log)}, subs: map[*subscription]struct{}{}}
	in.pool = newClientPool(s.url, clientOptions(key, log), s.latestLimit)
	return in
}

// Discovery is what site_url's GET /contract declared.
func (in *Instance) Discovery() targets.Discovery { return in.discovery }

// URL is site_url, where the app's HTTP actions serve the contract routes.
func (in *Instance) URL() string { return in.s.siteURL }

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
