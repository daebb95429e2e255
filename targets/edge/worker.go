package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httputil"
	"time"

	"versus/targets"
	"versus/targets/internal/contractserver"
)

// discovery is what the edge target declares in GET /contract.
var discovery = targets.Discovery{
	Contract: targets.ContractVersion,
	Name:     "edge",
	Model:    targets.ModelEdge,
	Capabilities: []string{
		targets.CapHTTP, targets.CapItems, targets.CapItemsReads, targets.CapWebhook,
		targets.CapSchedule, targets.CapSubscribe, targets.CapMeters,
	},
	ScheduleVia: scheduleVia,
}

// worker is the Worker script: stateless request handlers. It keeps
// nothing between invocations; every read and write is a round trip to
// the state service through its bindings.
type worker struct {
	state     *stateClient
	subscribe *httputil.ReverseProxy
	// meters is the platform's billing, which the Worker only reads for
	// GET /meters.
	meters *meters
	log    *log.Logger
}

var _ contractserver.Backend = (*worker)(nil)

func newWorker(state *stateClient, m *meters, logger *log.Logger) *worker {
	return &worker{state: state, subscribe: state.subscribeProxy(logger), meters: m, log: logger}
}

func (w *worker) Discovery() targets.Discovery { return discovery }

func (w *worker) PutItem(ctx context.Context, id string, value json.RawMessage) (int64, error) {
	res, err := w.state.query(ctx, `INSERT INTO items (id, value, version) VALUES (?1, ?2, 1)
		ON CONFLICT (id) DO UPDATE SET value = excluded.value, version = items.version + 1
		RETURNING version`, id, string(value))
	if err != nil {
		return 0, fmt.Errorf("put item %s: %w", id, err)
	}
	return res.Rows[0].int("version"), nil
}

// GetItem makes `reads` sequential round trips, as a handler that reads
// state several times before answering would.
func (w *worker) GetItem(ctx context.Context, id string, reads int) (contractserver.Item, error) {
	var found []row
	for range reads {
		res, err := w.state.query(ctx, `SELECT value, version FROM items WHERE id = ?1`, id)
		if err != nil {
			return contractserver.Item{}, fmt.Errorf("get item %s: %w", id, err)
		}
		found = res.Rows
	}
	if len(found) == 0 {
		return contractserver.Item{}, fmt.Errorf("item %s: %w", id, contractserver.ErrNotFound)
	}
	return contractserver.Item{ID: id, Value: json.RawMessage(found[0].str("value")), Version: found[0].int("version")}, nil
}

// StoreEvent inserts the event unless its id is stored already; D1 has
// committed (and synced) the row before the answer comes back.
func (w *worker) StoreEvent(ctx context.Context, id string, body []byte) (bool, error) {
	res, err := w.state.query(ctx, `INSERT INTO events (id, body, received_at) VALUES (?1, ?2, ?3)
		ON CONFLICT (id) DO NOTHING`, id, string(body), epochMS(time.Now()))
	if err != nil {
		return false, fmt.Errorf("store event %s: %w", id, err)
	}
	return res.Meta.RowsWritten == 0, nil
}

func (w *worker) CountEvents(ctx context.Context, ids []string) (map[string]int64, error) {
	list, _ := json.Marshal(ids) // a []string always encodes
	res, err := w.state.query(ctx, `SELECT id, COUNT(*) AS n FROM events
		WHERE id IN (SELECT value FROM json_each(?1)) GROUP BY id`, string(list))
	if err != nil {
		return nil, fmt.Errorf("count events: %w", err)
	}
	counts := make(map[string]int64, len(res.Rows))
	for _, r := range res.Rows {
		counts[r.str("id")] = r.int("n")
	}
	return counts, nil
}

// ScheduleJob commits the job row, then arms its mechanism. A second
// request for a stored id keeps the first schedule and arms it again if it
// has not run (the first request may have failed after the commit); the
// claim in jobRun keeps a doubly armed job from running twice.
func (w *worker) ScheduleJob(ctx context.Context, id string, delay time.Duration, via string) (float64, error) {
	if via == "" {
		via = scheduleVia[0]
	}
	res, err := w.state.batch(ctx, []statement{
		{SQL: `INSERT INTO jobs (id, via, scheduled_for) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING`,
			Params: []any{id, via, epochMS(time.Now().Add(delay))}},
		{SQL: `SELECT via, scheduled_for, fired_at FROM jobs WHERE id = ?1`, Params: []any{id}},
	})
	if err != nil {
		return 0, fmt.Errorf("schedule job %s: %w", id, err)
	}
	job := res[1].Rows[0]
	scheduledFor := job.float("scheduled_for")
	if job.nullFloat("fired_at") != nil {
		return scheduledFor, nil
	}
	switch job.str("via") {
	case viaAlarm:
		err = w.state.setAlarm(ctx, id, scheduledFor)
	case viaQueue:
		err = w.state.send(ctx, jobMessage(id), delaySeconds(time.Until(fromEpochMS(scheduledFor))))
	}
	if err != nil {
		return 0, fmt.Errorf("arm job %s: %w", id, err)
	}
	return scheduledFor, nil
}

func (w *worker) Jobs(ctx context.Context, ids []string) ([]contractserver.Job, error) {
	list, _ := json.Marshal(ids) // a []string always encodes
	res, err := w.state.query(ctx, `SELECT id, scheduled_for, fired_at, runs FROM jobs
		WHERE id IN (SELECT value FROM json_each(?1))`, string(list))
	if err != nil {
		return nil, fmt.Errorf("read jobs: %w", err)
	}
	byID := make(map[string]row, len(res.Rows))
	for _, r := range res.Rows {
		byID[r.str("id")] = r
	}
	jobs := make([]contractserver.Job, 0, len(res.Rows))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			jobs = append(jobs, contractserver.Job{ID: id, ScheduledFor: r.float("scheduled_for"), FiredAt: r.nullFloat("fired_at"), Runs: r.int("runs")})
		}
	}
	return jobs, nil
}

func (w *worker) Publish(ctx context.Context, channel string, payload json.RawMessage) (targets.Ack, error) {
	ack, err := w.state.publish(ctx, channel, payload)
	if err != nil {
		return targets.Ack{}, fmt.Errorf("publish on %s: %w", channel, err)
	}
	return ack, nil
}

// ServeSubscribe hands the upgrade to the channel's relay actor, which
// owns the socket from then on; the Worker only relays the bytes.
func (w *worker) ServeSubscribe(rw http.ResponseWriter, r *http.Request, channel string) {
	out := r.Clone(r.Context())
	out.URL.Path, out.URL.RawPath = "/do/relay/"+channel+"/subscribe", ""
	w.subscribe.ServeHTTP(rw, out)
}

func (w *worker) Meters() (float64, map[string]float64) { return w.meters.snapshot() }

// consume is the Worker's queue() handler: it runs a batch of job messages
// with one claim. An error makes the queue deliver the batch again; jobs
// already claimed are not run again.
func (w *worker) consume(ctx context.Context, bodies []json.RawMessage) error {
	w.meters.workerRequests.Add(1)
	ids := make([]string, 0, len(bodies))
	for _, b := range bodies {
		var m queuedJob
		if err := json.Unmarshal(b, &m); err != nil || m.Job == "" {
			w.log.Printf("queue consumer: skipping a message that names no job: %s", b)
			continue
		}
		ids = append(ids, m.Job)
	}
	if len(ids) == 0 {
		return nil
	}
	return newJobRun(w.state, claimByIDs(ids)).attempt(ctx)
}

// scheduled is the Worker's scheduled() handler, run by each cron tick: it
// polls D1 for the cron jobs that are due and runs them.
func (w *worker) scheduled(ctx context.Context) {
	w.meters.workerRequests.Add(1)
	if err := newJobRun(w.state, claimDueCron).attempt(ctx); err != nil {
		w.log.Printf("cron tick: %v", err)
	}
}
