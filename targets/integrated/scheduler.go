package integrated

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"
)

// dueBatch bounds how many due jobs one look-up returns.
const dueBatch = 100

// scheduler is Convex's scheduled-function executor: it sleeps on one
// timer set for the earliest job not yet fired, and every commit that
// schedules an earlier job wakes it. It never polls. Jobs survive restarts
// because they are rows; the first look-up after a start fires every
// overdue one.
type scheduler struct {
	b   *backend
	log io.Writer

	mu   sync.Mutex
	next float64 // when the timer fires (epoch ms); +Inf while looking up
	wake chan struct{}
}

func newScheduler(b *backend, log io.Writer) *scheduler {
	return &scheduler{b: b, log: log, next: math.Inf(1), wake: make(chan struct{}, 1)}
}

// scheduled is called after a commit that inserted a runAfter job due at
// at; it resets the timer when that job is due before the timer fires.
func (s *scheduler) scheduled(at float64) {
	s.mu.Lock()
	earlier := at < s.next
	s.mu.Unlock()
	if earlier {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// run fires runAfter jobs as they fall due, until ctx is done.
func (s *scheduler) run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		// Any commit from here until next is known wakes the loop again,
		// so a job inserted during the look-up cannot be missed.
		s.mu.Lock()
		s.next = math.Inf(1)
		s.mu.Unlock()
		next, err := s.fireDue(ctx, viaRunAfter, true)
		if err != nil && ctx.Err() == nil && s.log != nil {
			fmt.Fprintf(s.log, "integrated: scheduler: %v\n", err)
		}
		wait := time.Hour
		if err != nil {
			wait = time.Second // the database failed; look again soon
		} else if !math.IsInf(next, 1) {
			wait = time.Duration((next - nowMS()) * float64(time.Millisecond))
		}
		s.mu.Lock()
		s.next = next
		s.mu.Unlock()
		timer.Reset(max(wait, 0))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-s.wake:
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
	}
}

// fireDue fires every job of via that is due now, each in its own
// transaction, and returns when the next one falls due (+Inf for none).
// ownCall says whether each firing is a scheduled function of its own (one
// function call each) or part of the cron run that called fireDue.
func (s *scheduler) fireDue(ctx context.Context, via string, ownCall bool) (float64, error) {
	for {
		now := nowMS()
		var due []string
		next := math.Inf(1)
		err := s.b.db.query(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT id FROM jobs WHERE via = ? AND fired_at IS NULL AND scheduled_for <= ?
				ORDER BY scheduled_for LIMIT ?`, via, now, dueBatch)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					return err
				}
				due = append(due, id)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			var at sql.NullFloat64
			err = tx.QueryRowContext(ctx, `SELECT min(scheduled_for) FROM jobs WHERE via = ? AND fired_at IS NULL AND scheduled_for > ?`, via, now).Scan(&at)
			if at.Valid {
				next = at.Float64
			}
			return err
		})
		if err != nil {
			return next, fmt.Errorf("look up due %s jobs: %w", via, err)
		}
		for _, id := range due {
			if err := s.fire(ctx, id); err != nil {
				return next, err
			}
			if ownCall {
				s.b.meters.calls(1)
			}
		}
		if len(due) < dueBatch {
			return next, nil
		}
	}
}

// fire runs job id: one transaction records fired_at, counts the run and
// publishes the notification on the jobs channel. The fired_at IS NULL
// guard makes a second firing of the same job a no-op, so a job runs
// exactly once even across a restart.
func (s *scheduler) fire(ctx context.Context, id string) error {
	var seq int64
	fired := false
	err := s.b.db.mutate(ctx, func(tx *sql.Tx) error {
		firedAt := nowMS()
		var scheduledFor float64
		err := tx.QueryRow(`UPDATE jobs SET fired_at = ?, runs = runs + 1 WHERE id = ? AND fired_at IS NULL
			RETURNING scheduled_for`, firedAt, id).Scan(&scheduledFor)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("fire job %q: %w", id, err)
		}
		s.b.meters.read(docSize(len(id), 24))
		s.b.meters.wrote(docSize(len(id), 24))
		payload, err := json.Marshal(struct {
			Job          string  `json:"job"`
			ScheduledFor float64 `json:"scheduled_for"`
			FiredAt      float64 `json:"fired_at"`
		}{id, scheduledFor, firedAt})
		if err != nil {
			return fmt.Errorf("fire job %q: %w", id, err)
		}
		ack, err := s.b.insertMessage(tx, jobsChannel, payload)
		seq, fired = ack.Seq, true
		return err
	}, func() {
		if fired {
			s.b.reactive.invalidate(jobsChannel, seq)
		}
	})
	return err
}

// runCron is the interval cron: every period it runs one function that
// fires the due jobs scheduled via cron.
func (s *scheduler) runCron(ctx context.Context, period time.Duration) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		s.b.meters.calls(1)
		if _, err := s.fireDue(ctx, viaCron, false); err != nil && ctx.Err() == nil && s.log != nil {
			fmt.Fprintf(s.log, "integrated: cron: %v\n", err)
		}
	}
}
