package convex

import (
	"fmt"
	"io"
	"time"
)

// Defaults of a Client's options.
const (
	// DefaultInitialBackoff is the first wait before reconnecting. The JS
	// client waits 100 ms after a client-side failure and 1 s after a server
	// close; a benchmark wants its subscribers back fast, and the doubling
	// below protects a struggling server.
	DefaultInitialBackoff = 100 * time.Millisecond
	// DefaultMaxBackoff caps the doubling wait, as the JS client does.
	DefaultMaxBackoff = 16 * time.Second
	// DefaultInactivityTimeout: the server sends a Ping after 15 s without
	// other traffic, but one large Transition can hold the line longer, so
	// the JS client waits 60 s of silence before it reconnects.
	DefaultInactivityTimeout = 60 * time.Second
	// DefaultReconnectTimeout is how long a Client keeps trying to
	// reconnect before it gives up and reports the last failure.
	DefaultReconnectTimeout = time.Minute
	// DefaultDialTimeout bounds one WebSocket handshake.
	DefaultDialTimeout = 15 * time.Second
)

// Option configures a Client.
type Option func(*options)

type options struct {
	adminKey         string
	initialBackoff   time.Duration
	maxBackoff       time.Duration
	inactivity       time.Duration
	reconnectTimeout time.Duration
	dialTimeout      time.Duration
	log              io.Writer
}

func defaultOptions() options {
	return options{
		initialBackoff:   DefaultInitialBackoff,
		maxBackoff:       DefaultMaxBackoff,
		inactivity:       DefaultInactivityTimeout,
		reconnectTimeout: DefaultReconnectTimeout,
		dialTimeout:      DefaultDialTimeout,
	}
}

// WithAdminKey authenticates every connection with an admin or deploy key
// (Authenticate, tokenType "Admin"). The key is sent to the server and used
// nowhere else: never logged, never part of an error.
func WithAdminKey(key string) Option {
	return func(o *options) { o.adminKey = key }
}

// WithBackoff sets the first reconnect wait and its cap. Waits double after
// each failed attempt, with ±50% jitter, and start over once a connection
// delivers a Transition.
func WithBackoff(initial, max time.Duration) Option {
	return func(o *options) { o.initialBackoff, o.maxBackoff = initial, max }
}

// WithInactivityTimeout sets how long the server may stay silent before the
// client considers the connection dead and reconnects.
func WithInactivityTimeout(d time.Duration) Option {
	return func(o *options) { o.inactivity = d }
}

// WithReconnectTimeout sets how long the client keeps reconnecting after a
// drop before it stops with an error.
func WithReconnectTimeout(d time.Duration) Option {
	return func(o *options) { o.reconnectTimeout = d }
}

// WithLog sends one line per connection event (drops, reconnects, skipped
// messages) to w.
func WithLog(w io.Writer) Option {
	return func(o *options) { o.log = w }
}

func (o options) validate() error {
	switch {
	case o.initialBackoff <= 0 || o.maxBackoff < o.initialBackoff:
		return fmt.Errorf("convex sync: backoff %v..%v: the first wait must be positive and at most the cap", o.initialBackoff, o.maxBackoff)
	case o.inactivity <= 0:
		return fmt.Errorf("convex sync: inactivity timeout %v must be positive", o.inactivity)
	case o.reconnectTimeout <= 0:
		return fmt.Errorf("convex sync: reconnect timeout %v must be positive", o.reconnectTimeout)
	}
	return nil
}
