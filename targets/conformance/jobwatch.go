package conformance

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"versus/targets"
)

// jobsChannel is where a target announces each job it ran.
const jobsChannel = "jobs"

// announcement is the payload a target publishes on channel jobs.
type announcement struct {
	Job          string   `json:"job"`
	ScheduledFor *float64 `json:"scheduled_for"`
	FiredAt      *float64 `json:"fired_at"`
}

// jobWatch is one subscription to channel jobs, shared by the checks of
// every mechanism. It keeps the announcements of this run's jobs.
type jobWatch struct {
	sub targets.Subscription

	mu      sync.Mutex
	seen    map[string][]heard
	changed chan struct{} // closed and replaced on each announcement
}

// heard is one announcement as its frame carried it.
type heard struct {
	channel string
	body    announcement
	raw     json.RawMessage
}

func (v *verifier) watchJobs(ctx context.Context) (*jobWatch, error) {
	w := &jobWatch{seen: map[string][]heard{}, changed: make(chan struct{})}
	dial, cancel := context.WithTimeout(ctx, v.opts.Timeout)
	defer cancel()
	sub, err := targets.SubscriberFor(v.inst).Subscribe(dial, jobsChannel, w.deliver)
	if err != nil {
		return nil, err
	}
	w.sub = sub
	return w, nil
}

func (w *jobWatch) deliver(m targets.Message) {
	var a announcement
	if json.Unmarshal(m.Payload, &a) != nil || a.Job == "" {
		return // not a job announcement: someone else's traffic
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen[a.Job] = append(w.seen[a.Job], heard{channel: m.Channel, body: a, raw: m.Payload})
	close(w.changed)
	w.changed = make(chan struct{})
}

// heardOf returns the announcements of job id so far, and a channel
// closed at the next announcement of any job.
func (w *jobWatch) heardOf(id string) ([]heard, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]heard(nil), w.seen[id]...), w.changed
}

// await waits until job id was announced or the deadline passed.
func (w *jobWatch) await(ctx context.Context, id string, deadline time.Time) []heard {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		got, changed := w.heardOf(id)
		if len(got) > 0 {
			return got
		}
		select {
		case <-changed:
		case <-w.sub.Done():
			got, _ := w.heardOf(id)
			return got
		case <-timer.C:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}

func (w *jobWatch) close() {
	if w != nil {
		w.sub.Close()
	}
}
