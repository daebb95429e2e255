// Package contractserver is the HTTP surface of contract v1 shared by the
// embedded backends: routing, id and body validation, signature checks and
// JSON shapes live here once; where state lives and how jobs fire is each
// backend's own (the Backend interface).
package contractserver

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"versus/targets"
)

// ErrNotFound is returned by a Backend for an id it does not hold.
var ErrNotFound = errors.New("not found")

// ErrBadRequest wraps a Backend error that is the caller's fault (400).
var ErrBadRequest = errors.New("bad request")

// Item is a stored item.
type Item struct {
	ID      string          `json:"id"`
	Value   json.RawMessage `json:"value"`
	Version int64           `json:"version"`
}

// Job is a scheduled job as GET /jobs/{id} shows it.
type Job struct {
	ID           string   `json:"id"`
	ScheduledFor float64  `json:"scheduled_for"`
	FiredAt      *float64 `json:"fired_at"`
	Runs         int64    `json:"runs"`
}

// Backend is what an embedded model implements; the server does the rest.
// Every write method returns only once the write is durably committed.
type Backend interface {
	Discovery() targets.Discovery
	PutItem(ctx context.Context, id string, value json.RawMessage) (version int64, err error)
	// GetItem reads the item `reads` times in sequence (reads >= 1), as a
	// chatty handler would, and returns the last read.
	GetItem(ctx context.Context, id string, reads int) (Item, error)
	// StoreEvent stores a verified webhook event once per id.
	StoreEvent(ctx context.Context, id string, body []byte) (duplicate bool, err error)
	CountEvents(ctx context.Context, ids []string) (map[string]int64, error)
	// ScheduleJob commits a job due after delay, fired via the named
	// mechanism ("" = the default), and returns when it is due (epoch ms).
	ScheduleJob(ctx context.Context, id string, delay time.Duration, via string) (scheduledFor float64, err error)
	Jobs(ctx context.Context, ids []string) ([]Job, error)
	Publish(ctx context.Context, channel string, payload json.RawMessage) (targets.Ack, error)
	// ServeSubscribe answers GET /channels/{name}/subscribe (a WebSocket
	// upgrade); the backend owns the connection from then on.
	ServeSubscribe(w http.ResponseWriter, r *http.Request, channel string)
	// Meters returns the billable units counted since the backend started.
	Meters() (since float64, units map[string]float64)
}
