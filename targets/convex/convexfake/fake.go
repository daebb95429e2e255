// Package convexfake is a loopback stand-in for a Convex deployment running
// targets/convex/app, for tests of the convex adapter and its sync client.
//
// It is a fake, not Convex: it runs no Convex code. It was built from the
// sync protocol as src/browser/sync/protocol.ts (convex npm package)
// defines it, the client's connect and reconnect flow
// (web_socket_manager.ts, client.ts, remote_query_set.ts) and the HTTP API
// shapes of Convex's documentation. What it reproduces: JSON text frames;
// Connect, Authenticate, ModifyQuerySet and Mutation from the client;
// Transition with chained state versions, TransitionChunk for transitions
// larger than a size, MutationResponse, Ping when idle, FatalError and
// AuthError from the server; timestamps as base64 of eight little-endian
// bytes; mutations deduplicated by session and request id; POST
// /api/query|mutation with {"status": "success"|"error"} at HTTP 200; and
// the app's channels:latest({channel, limit?}) and channels:publish({channel,
// payload}) functions (payloads as JSON text, as the app keeps them) plus the contract
// routes GET /contract, GET /health and POST /channels/{name}/messages.
// What it cannot tell you (latencies, Convex's own limits and error texts
// beyond the few copied here) only a real deployment can.
//
// Channels live in memory; a commit re-runs channels:latest for every
// session subscribed to it, as Convex's read-set invalidation would.
package convexfake

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Defaults of a Server.
const (
	// DefaultChunkSize is the serialized size above which a Transition is
	// sent as TransitionChunks.
	DefaultChunkSize = 1 << 20
	// DefaultPingInterval is the idle time after which the server sends
	// Ping, as Convex's sync worker does.
	DefaultPingInterval = 15 * time.Second
	// DefaultLatest and MaxLatest are channels:latest's default and
	// largest limit, as in targets/convex/app/convex/channels.ts.
	DefaultLatest = 20
	MaxLatest     = 100
)

// Option configures a Server.
type Option func(*config)

type config struct {
	adminKey     string
	withoutApp   bool
	chunkSize    int
	pingInterval time.Duration
}

// WithAdminKey sets the one admin (deploy) key the deployment accepts.
// Without it, every admin key is rejected.
func WithAdminKey(key string) Option { return func(c *config) { c.adminKey = key } }

// WithoutApp makes a deployment where targets/convex/app was never
// deployed: no functions, no HTTP routes.
func WithoutApp() Option { return func(c *config) { c.withoutApp = true } }

// WithChunkSize sets the size above which transitions are chunked (0: never).
func WithChunkSize(n int) Option { return func(c *config) { c.chunkSize = n } }

// WithPingInterval sets the idle time before a Ping (0: never ping).
func WithPingInterval(d time.Duration) Option { return func(c *config) { c.pingInterval = d } }

// Server is a running fake deployment: URL is its .convex.cloud stand-in
// (sync protocol and HTTP API), SiteURL its .convex.site stand-in (HTTP
// actions). Both listen on 127.0.0.1 only.
type Server struct {
	cfg   config
	store *store
	cloud *httptest.Server
	site  *httptest.Server

	ctx    context.Context
	cancel context.CancelFunc

	mu         sync.Mutex
	sessions   map[*session]struct{}
	connects   []Connect
	chunksSent int
}

// Connect is a Connect message the server received.
type Connect struct {
	SessionID       string
	ConnectionCount int
	LastCloseReason *string
	// MaxObservedTimestamp is 0 when the client sent none.
	MaxObservedTimestamp uint64
}

// New starts a fake deployment. Close it when done.
func New(opts ...Option) *Server {
	cfg := config{chunkSize: DefaultChunkSize, pingInterval: DefaultPingInterval}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{cfg: cfg, sessions: map[*session]struct{}{}}
	s.store = newStore(cfg.withoutApp)
	s.ctx, s.cancel = context.WithCancel(context.Background())

	cloud := http.NewServeMux()
	cloud.HandleFunc("GET /api/{version}/sync", s.serveSync)
	cloud.HandleFunc("POST /api/query", s.serveAPI(kindQuery))
	cloud.HandleFunc("POST /api/mutation", s.serveAPI(kindMutation))
	s.cloud = httptest.NewServer(cloud)
	s.site = httptest.NewServer(s.siteHandler())
	return s
}

// URL is the deployment origin (what https://NAME.convex.cloud is).
func (s *Server) URL() string { return s.cloud.URL }

// SiteURL is the HTTP actions origin (what https://NAME.convex.site is).
func (s *Server) SiteURL() string { return s.site.URL }

// Close ends every session and stops both listeners.
func (s *Server) Close() {
	s.cancel()
	s.DropConnections()
	s.cloud.Close()
	s.site.Close()
}

// DropConnections cuts every sync WebSocket without a close frame, as a
// network failure would, and returns how many it cut.
func (s *Server) DropConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sess := range s.sessions {
		sess.ws.CloseNow()
	}
	return len(s.sessions)
}

// SendFatalError sends FatalError with message to every session, then
// closes it, and returns how many sessions it reached.
func (s *Server) SendFatalError(message string) int {
	return s.broadcast(func(sess *session) bool {
		sess.send(map[string]any{"type": "FatalError", "error": message})
		return true
	})
}

// Connects lists the Connect messages received so far, oldest first.
func (s *Server) Connects() []Connect {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Connect(nil), s.connects...)
}

// QueryCount is the number of queries in the query sets of the live
// sessions.
func (s *Server) QueryCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for sess := range s.sessions {
		n += int(sess.queryCount.Load())
	}
	return n
}

// ChunksSent is the number of TransitionChunk messages sent so far.
func (s *Server) ChunksSent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chunksSent
}

// broadcast runs f on every session's own goroutine; f returns true to end
// the session. It returns how many sessions it reached.
func (s *Server) broadcast(f func(*session) bool) int {
	s.mu.Lock()
	targets := make([]*session, 0, len(s.sessions))
	for sess := range s.sessions {
		targets = append(targets, sess)
	}
	s.mu.Unlock()
	n := 0
	for _, sess := range targets {
		select {
		case sess.control <- f:
			n++
		case <-sess.ended:
		}
	}
	return n
}
