package contractserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"versus/targets"
)

// memBackend is the smallest Backend: maps under one lock, jobs that never
// fire, and a Hub for channels. It lets the tests see exactly what the
// server passed down.
type memBackend struct {
	discovery targets.Discovery
	hub       *Hub

	mu     sync.Mutex
	items  map[string]Item
	events map[string]int64
	jobs   map[string]Job
	seqs   map[string]int64
	calls  int // backend calls that could change state
}

func newMemBackend() *memBackend {
	return &memBackend{
		discovery: targets.Discovery{
			Name: "mem", Model: targets.ModelOther,
			Capabilities: []string{targets.CapHTTP, targets.CapItems, targets.CapItemsReads, targets.CapWebhook,
				targets.CapSchedule, targets.CapSubscribe, targets.CapMeters},
			ScheduleVia: []string{"timer", "cron"},
		},
		hub:    NewHub(),
		items:  map[string]Item{},
		events: map[string]int64{},
		jobs:   map[string]Job{},
		seqs:   map[string]int64{},
	}
}

func (b *memBackend) Discovery() targets.Discovery { return b.discovery }

func (b *memBackend) PutItem(_ context.Context, id string, value json.RawMessage) (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls++
	it := b.items[id]
	it.ID, it.Value, it.Version = id, value, it.Version+1
	b.items[id] = it
	return it.Version, nil
}

func (b *memBackend) GetItem(_ context.Context, id string, reads int) (Item, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	it, ok := b.items[id]
	if !ok {
		return Item{}, fmt.Errorf("item %q: %w", id, ErrNotFound)
	}
	return it, nil
}

func (b *memBackend) StoreEvent(_ context.Context, id string, _ []byte) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls++
	if b.events[id] > 0 {
		return true, nil
	}
	b.events[id] = 1
	return false, nil
}

func (b *memBackend) CountEvents(_ context.Context, ids []string) (map[string]int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]int64{}
	for _, id := range ids {
		out[id] = b.events[id]
	}
	return out, nil
}

func (b *memBackend) ScheduleJob(_ context.Context, id string, delay time.Duration, _ string) (float64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls++
	if _, dup := b.jobs[id]; dup {
		return 0, fmt.Errorf("job %q already scheduled: %w", id, ErrBadRequest)
	}
	at := float64(1_000_000 + delay.Milliseconds())
	b.jobs[id] = Job{ID: id, ScheduledFor: at}
	return at, nil
}

func (b *memBackend) Jobs(_ context.Context, ids []string) ([]Job, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Job
	for _, id := range ids {
		if j, ok := b.jobs[id]; ok {
			out = append(out, j)
		}
	}
	return out, nil
}

func (b *memBackend) Publish(_ context.Context, channel string, payload json.RawMessage) (targets.Ack, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls++
	b.seqs[channel]++
	m := targets.Message{Channel: channel, Seq: b.seqs[channel], Payload: payload, CommittedAt: 1_000_000}
	b.hub.Publish(m)
	return targets.Ack{Seq: m.Seq, CommittedAt: m.CommittedAt}, nil
}

func (b *memBackend) ServeSubscribe(w http.ResponseWriter, r *http.Request, channel string) {
	b.hub.ServeSubscribe(w, r, channel)
}

func (b *memBackend) Meters() (float64, map[string]float64) {
	return 1_000_000, map[string]float64{"worker_requests": 3}
}

func (b *memBackend) writes() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls
}
