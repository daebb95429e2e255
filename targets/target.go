// Package targets owns the Target interface, the capability names of contract
// v1, the registry of target kinds, and the contract's WebSocket subscriber.
// Each adapter lives in its own folder and registers itself from init.
//
// A target knows no scenario and no runner: it imports results at most.
package targets

import (
	"context"
	"encoding/json"
	"io"
	"time"
)

// ContractVersion is the version of contract.md this package speaks.
const ContractVersion = 1

// Capability names as they appear in GET /contract.
const (
	CapHTTP       = "http"
	CapItems      = "items"
	CapItemsReads = "items.reads" // GET /items/{id}?reads=N (contract v1 extension)
	CapWebhook    = "webhook"
	CapSchedule   = "schedule"
	CapSubscribe  = "subscribe"
	CapMeters     = "meters"
)

// Models of backend, as in GET /contract.
const (
	ModelEdge       = "edge"
	ModelIntegrated = "integrated"
	ModelOther      = "other"
)

// Discovery is the body of GET /contract.
type Discovery struct {
	Contract     int      `json:"contract"`
	Name         string   `json:"name"`
	Model        string   `json:"model"`
	Capabilities []string `json:"capabilities"`
	ScheduleVia  []string `json:"schedule_via,omitempty"`
	// Version is an optional extension: the implementation's own version.
	Version string `json:"version,omitempty"`
}

// Has reports whether the target declared capability c.
func (d Discovery) Has(c string) bool {
	for _, x := range d.Capabilities {
		if x == c {
			return true
		}
	}
	return false
}

// Offers reports whether the target offers scheduling mechanism via.
func (d Discovery) Offers(via string) bool {
	for _, x := range d.ScheduleVia {
		if x == via {
			return true
		}
	}
	return false
}

// Config is one target entry of a suite. Built-in targets are named alone
// (`- edge`); others give a kind and their fields.
type Config struct {
	Name string
	Kind string
	URL  string
	// Options holds the kind-specific fields (site_url, deploy_key_env,
	// secret_env, cron_period, ...), as written in the suite.
	Options map[string]string
}

// Env is what the runner hands a target when it starts it for a run.
type Env struct {
	// WebhookSecret is the run's webhook signing secret. Targets the
	// harness starts receive it here; it must never be logged or returned.
	WebhookSecret string
	// CronPeriod overrides the target's cron dispatch period (0: default).
	CronPeriod time.Duration
	// DataDir makes the target's state durable in that folder ("" means a
	// temporary store removed on Close).
	DataDir string
	// Log receives the target's own diagnostic output (a child process's
	// stderr, for example). Nil discards it.
	Log io.Writer
	// StateLink, when set, is called by edge-model targets with the address
	// of their state service and returns the address to dial instead: the
	// runner puts an injected network link (topology edge_state) there.
	StateLink func(upstream string) (string, error)
}

// Target is a configured backend that can be started for a run.
type Target interface {
	Start(ctx context.Context, env Env) (Instance, error)
}

// Instance is a running target.
type Instance interface {
	// Discovery is what the running target declared in GET /contract.
	Discovery() Discovery
	// URL is the base URL of the contract's HTTP routes, without a
	// trailing slash.
	URL() string
	// Close stops what Start started. It is safe to call more than once.
	Close() error
}

// Message is one delivery on a channel, as contract v1 frames it.
type Message struct {
	Channel     string          `json:"channel"`
	Seq         int64           `json:"seq"`
	Payload     json.RawMessage `json:"payload"`
	CommittedAt float64         `json:"committed_at"` // ms on the target's clock
	// Received is when the harness read the frame (monotonic clock).
	Received time.Time `json:"-"`
}

// Subscription is one live subscriber.
type Subscription interface {
	// Done is closed when the subscription ends, by Close or by a drop.
	Done() <-chan struct{}
	// Err says why it ended; nil while live and after Close.
	Err() error
	Close() error
}

// Subscriber opens subscriptions. deliver is called from the
// subscription's own goroutine, once per message, in arrival order.
type Subscriber interface {
	Subscribe(ctx context.Context, channel string, deliver func(Message)) (Subscription, error)
}

// Ack is a publish acknowledgement.
type Ack struct {
	Seq         int64   `json:"seq"`
	CommittedAt float64 `json:"committed_at"`
}

// Publisher publishes a message to a channel and returns once it is committed.
type Publisher interface {
	Publish(ctx context.Context, channel string, payload json.RawMessage) (Ack, error)
}

// Server is implemented by embedded targets that can run as a process of
// their own (`versus serve NAME --addr A --data DIR`). Serve blocks until ctx
// is done, then shuts down cleanly.
type Server interface {
	Serve(ctx context.Context, addr string, env Env) error
}

// TimedPublisher is a Publisher that also tells when a message became
// visible to subscribers, apart from when its write was acknowledged
// (Convex: the MutationResponse, then the first Transition at or past its
// timestamp).
type TimedPublisher interface {
	PublishTimed(ctx context.Context, channel string, payload json.RawMessage) (ack Ack, acknowledgedAt, visibleAt time.Time, err error)
}
