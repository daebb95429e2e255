package integrated

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"versus/targets"
	"versus/targets/internal/contractserver"
)

// Scheduling mechanisms: ctx.scheduler.runAfter, and an interval cron that
// runs the due jobs scheduled for it.
const (
	viaRunAfter = "runafter"
	viaCron     = "cron"
)

// jobsChannel is where fired jobs are announced, as contract v1 says.
const jobsChannel = "jobs"

// backend is the model's contractserver.Backend. Each method is what a
// Convex app's HTTP action would run: one mutation or one query (the
// action itself is counted by the HTTP layer).
type backend struct {
	discovery targets.Discovery
	db        *store
	meters    *meters
	reactive  *reactive
	scheduler *scheduler
}

func (b *backend) Discovery() targets.Discovery { return b.discovery }

func (b *backend) PutItem(ctx context.Context, id string, value json.RawMessage) (int64, error) {
	var version int64
	err := b.db.mutate(ctx, func(tx *sql.Tx) error {
		var old int
		err := tx.QueryRow(`SELECT version, length(value) FROM items WHERE id = ?`, id).Scan(&version, &old)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("read item %q: %w", id, err)
		default:
			b.meters.read(docSize(len(id), old))
		}
		version++
		if _, err := tx.Exec(`INSERT INTO items (id, value, version) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET value = excluded.value, version = excluded.version`,
			id, []byte(value), version); err != nil {
			return fmt.Errorf("write item %q: %w", id, err)
		}
		b.meters.wrote(docSize(len(id), len(value)))
		return nil
	}, nil)
	b.meters.calls(1)
	return version, err
}

// GetItem is one query that reads the item `reads` times, each a separate
// db.get inside the same snapshot.
func (b *backend) GetItem(ctx context.Context, id string, reads int) (contractserver.Item, error) {
	item := contractserver.Item{ID: id}
	b.meters.calls(1)
	err := b.db.query(ctx, func(tx *sql.Tx) error {
		for range reads {
			var value []byte
			err := tx.QueryRowContext(ctx, `SELECT value, version FROM items WHERE id = ?`, id).Scan(&value, &item.Version)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("no item %q: %w", id, contractserver.ErrNotFound)
			}
			if err != nil {
				return fmt.Errorf("read item %q: %w", id, err)
			}
			item.Value = value
			b.meters.read(docSize(len(id), len(value)))
		}
		return nil
	})
	return item, err
}

// StoreEvent is the mutation a webhook's HTTP action runs: look the id up
// in the events index and insert the event if it is absent, atomically.
func (b *backend) StoreEvent(ctx context.Context, id string, body []byte) (bool, error) {
	duplicate := false
	err := b.db.mutate(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`INSERT INTO events (id, body, stored_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`, id, body, nowMS())
		if err != nil {
			return fmt.Errorf("store event %q: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store event %q: %w", id, err)
		}
		duplicate = n == 0
		b.meters.read(len(id)) // the index look-up
		if !duplicate {
			b.meters.wrote(docSize(len(id), len(body)))
		}
		return nil
	}, nil)
	b.meters.calls(1)
	return duplicate, err
}

func (b *backend) CountEvents(ctx context.Context, ids []string) (map[string]int64, error) {
	counts := make(map[string]int64, len(ids))
	b.meters.calls(1)
	if len(ids) == 0 {
		return counts, nil
	}
	err := b.db.query(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, count(*) FROM events WHERE id IN (`+placeholders(len(ids))+`) GROUP BY id`, args(ids)...)
		if err != nil {
			return fmt.Errorf("count events: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var n int64
			if err := rows.Scan(&id, &n); err != nil {
				return fmt.Errorf("count events: %w", err)
			}
			counts[id] = n
			b.meters.read(len(id))
		}
		return rows.Err()
	})
	return counts, err
}

// ScheduleJob is a mutation that calls ctx.scheduler.runAfter: the job row
// is part of the mutation's own transaction, and the commit wakes the
// scheduler's timer.
func (b *backend) ScheduleJob(ctx context.Context, id string, delay time.Duration, via string) (float64, error) {
	if via == "" {
		via = viaRunAfter
	}
	at := nowMS() + float64(delay.Microseconds())/1000
	err := b.db.mutate(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`INSERT INTO jobs (id, via, scheduled_for) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`, id, via, at)
		if err != nil {
			return fmt.Errorf("schedule job %q: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("job %q is already scheduled; use a new id: %w", id, contractserver.ErrBadRequest)
		}
		b.meters.read(len(id))
		b.meters.wrote(docSize(len(id), len(via), 8))
		return nil
	}, func() {
		if via == viaRunAfter {
			b.scheduler.scheduled(at)
		}
	})
	b.meters.calls(1)
	return at, err
}

func (b *backend) Jobs(ctx context.Context, ids []string) ([]contractserver.Job, error) {
	b.meters.calls(1)
	if len(ids) == 0 {
		return nil, nil
	}
	found := make(map[string]contractserver.Job, len(ids))
	err := b.db.query(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, scheduled_for, fired_at, runs FROM jobs WHERE id IN (`+placeholders(len(ids))+`)`, args(ids)...)
		if err != nil {
			return fmt.Errorf("read jobs: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var j contractserver.Job
			var fired sql.NullFloat64
			if err := rows.Scan(&j.ID, &j.ScheduledFor, &fired, &j.Runs); err != nil {
				return fmt.Errorf("read jobs: %w", err)
			}
			if fired.Valid {
				j.FiredAt = &fired.Float64
			}
			found[j.ID] = j
			b.meters.read(docSize(len(j.ID), 24))
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	jobs := make([]contractserver.Job, 0, len(found))
	for _, id := range ids {
		if j, ok := found[id]; ok {
			jobs = append(jobs, j)
			delete(found, id) // an id named twice is listed once
		}
	}
	return jobs, nil
}

func (b *backend) Publish(ctx context.Context, channel string, payload json.RawMessage) (targets.Ack, error) {
	var ack targets.Ack
	err := b.db.mutate(ctx, func(tx *sql.Tx) (err error) {
		ack, err = b.insertMessage(tx, channel, payload)
		return err
	}, func() { b.reactive.invalidate(channel, ack.Seq) })
	b.meters.calls(1)
	return ack, err
}

// insertMessage appends payload to channel inside tx: the channel's
// counter gives seq, so seq rises by one per committed message.
func (b *backend) insertMessage(tx *sql.Tx, channel string, payload []byte) (targets.Ack, error) {
	var ack targets.Ack
	if err := tx.QueryRow(`INSERT INTO channels (name, seq) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET seq = seq + 1 RETURNING seq`, channel).Scan(&ack.Seq); err != nil {
		return ack, fmt.Errorf("advance channel %q: %w", channel, err)
	}
	ack.CommittedAt = nowMS()
	if _, err := tx.Exec(`INSERT INTO messages (channel, seq, payload, committed_at) VALUES (?, ?, ?, ?)`,
		channel, ack.Seq, payload, ack.CommittedAt); err != nil {
		return ack, fmt.Errorf("insert a message on channel %q: %w", channel, err)
	}
	b.meters.read(docSize(len(channel), 8))
	b.meters.wrote(docSize(len(channel), 8) + docSize(len(channel), 16, len(payload)))
	return ack, nil
}

func (b *backend) ServeSubscribe(w http.ResponseWriter, r *http.Request, channel string) {
	b.reactive.serveSubscribe(w, r, channel)
}

func (b *backend) Meters() (float64, map[string]float64) { return b.meters.snapshot() }

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func args(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
