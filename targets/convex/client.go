package convex

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
)

// ClientVersion is the version of the convex npm client whose
// src/browser/sync/protocol.ts this client implements. It is the path
// segment of the sync URL, from which the server decides which protocol
// features (transition chunks among them) it may use with this client.
const ClientVersion = "1.46.0"

// maxFrameBytes is the read limit of one WebSocket frame. A Transition
// carries whole query results; the server splits very large ones into
// chunks, each well below this.
const maxFrameBytes = 64 << 20

// Client is one session of the sync protocol: one WebSocket at a time,
// replaced after a drop, carrying a query set and mutations. Its methods
// are safe for concurrent use. Query results are delivered from the
// client's own goroutine, in the order the server sent them.
type Client struct {
	syncURL   string
	sessionID string
	opts      options

	mu              sync.Mutex
	conn            *connection // nil between connections
	queries         map[int]*query
	nextQueryID     int
	mutations       map[int64]*Mutation // sent, not yet visible or failed
	nextRequestID   int64
	maxObserved     Timestamp
	observed        bool
	connectionCount int
	lastCloseReason *string
	closed          bool
	err             error // why the client stopped; nil after Close
	done            chan struct{}

	retries int // touched by the run goroutine only
}

// Dial opens a sync session with the deployment at deploymentURL (its
// https://NAME.convex.cloud origin; http:// for a local backend). The first
// connection is made before Dial returns, so a wrong URL fails here; later
// drops are repaired in the background.
func Dial(ctx context.Context, deploymentURL string, opts ...Option) (*Client, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	syncURL, err := SyncURL(deploymentURL)
	if err != nil {
		return nil, err
	}
	lastClose := "InitialConnect"
	c := &Client{
		syncURL:         syncURL,
		sessionID:       newSessionID(),
		opts:            o,
		queries:         map[int]*query{},
		mutations:       map[int64]*Mutation{},
		lastCloseReason: &lastClose,
		done:            make(chan struct{}),
	}
	conn, err := c.connect(ctx)
	if err != nil {
		return nil, err
	}
	go c.run(conn)
	return c, nil
}

// SyncURL turns a deployment origin into its sync endpoint,
// ws(s)://HOST/api/<ClientVersion>/sync.
func SyncURL(deploymentURL string) (string, error) {
	u, err := url.Parse(deploymentURL)
	if err != nil {
		return "", fmt.Errorf("convex sync: deployment URL %q: %w", deploymentURL, err)
	}
	switch u.Scheme {
	case "https", "wss":
		u.Scheme = "wss"
	case "http", "ws":
		u.Scheme = "ws"
	default:
		return "", fmt.Errorf("convex sync: deployment URL %q: want an https:// (or http://) origin such as https://NAME.convex.cloud", deploymentURL)
	}
	if u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("convex sync: deployment URL %q: want a bare origin such as https://NAME.convex.cloud, without path or query", deploymentURL)
	}
	u.Path = "/api/" + ClientVersion + "/sync"
	return u.String(), nil
}

// Done is closed when the client stops: Close, FatalError, AuthError, or
// reconnecting for longer than the reconnect timeout.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err says why the client stopped: nil while it runs and after Close.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close ends the session. It does not wait for the client's goroutine, so a
// result callback may call it; a callback already under way may still run.
func (c *Client) Close() error {
	c.stop(nil)
	return nil
}

// stop ends the client with err (nil for Close). The first call wins.
func (c *Client) stop(err error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed, c.err = true, err
	conn := c.conn
	c.conn = nil
	close(c.done)
	c.mu.Unlock()
	if conn != nil {
		conn.shutdown(err == nil)
	}
}

// stoppedErr is what a call on a stopped client returns.
func (c *Client) stoppedErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	return ErrClosed
}

// observeLocked records a timestamp the server showed us; a reconnect sends
// the largest so the server never serves an older snapshot.
func (c *Client) observeLocked(ts Timestamp) {
	if !c.observed || ts > c.maxObserved {
		c.maxObserved, c.observed = ts, true
	}
}

func (c *Client) logf(format string, a ...any) {
	if c.opts.log != nil {
		fmt.Fprintf(c.opts.log, "convex sync: "+format+"\n", a...)
	}
}

// encodeArgs encodes a function's arguments object. Convex functions take
// one object; the protocol wraps it in a one-element array.
func encodeArgs(args any) (json.RawMessage, error) {
	b, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("convex sync: encoding function arguments: %w", err)
	}
	if !strings.HasPrefix(string(b), "{") {
		return nil, fmt.Errorf("convex sync: function arguments must be a JSON object, got %s", truncate(string(b), 40))
	}
	return b, nil
}

// newSessionID returns a random UUID v4, the form the JS client uses.
func newSessionID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
