package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"versus/targets"
)

// Scheduling mechanisms, as in schedule_via; the first is the default.
const (
	viaAlarm = "alarm"
	viaCron  = "cron"
	viaQueue = "queue"
)

var scheduleVia = []string{viaAlarm, viaCron, viaQueue}

// jobsChannel is where a job announces that it ran.
const jobsChannel = "jobs"

// jobState is what running a job needs: D1 statements and a publish to a
// relay actor. The Worker (cron, queue consumer) reaches both over the
// hop; an alarm reaches them from inside the state side.
type jobState interface {
	batch(ctx context.Context, stmts []statement) ([]result, error)
	publish(ctx context.Context, channel string, payload json.RawMessage) (targets.Ack, error)
}

// claimByIDs marks the named jobs fired at now, those not fired yet.
func claimByIDs(ids []string) func(now time.Time) statement {
	list, _ := json.Marshal(ids) // a []string always encodes
	return func(now time.Time) statement {
		return statement{
			SQL: `UPDATE jobs SET fired_at = ?1, runs = runs + 1
				WHERE id IN (SELECT value FROM json_each(?2)) AND fired_at IS NULL
				RETURNING id, scheduled_for, fired_at`,
			Params: []any{epochMS(now), string(list)},
		}
	}
}

// claimDueCron marks every cron job due by now fired at now: the poll a
// scheduled() handler runs.
func claimDueCron(now time.Time) statement {
	return statement{
		SQL: `UPDATE jobs SET fired_at = ?1, runs = runs + 1
			WHERE via = ?2 AND fired_at IS NULL AND scheduled_for <= ?1
			RETURNING id, scheduled_for, fired_at`,
		Params: []any{epochMS(now), viaCron},
	}
}

// jobRun is one invocation that runs jobs. It claims them with a
// conditional update (fired_at IS NULL), so whatever retries or races,
// each job runs once; then it announces each on channel jobs. A retry of
// the same jobRun after a failed announcement announces only what this
// run claimed and has not yet announced.
type jobRun struct {
	state   jobState
	claim   func(now time.Time) statement
	claimed bool
	pending []row // claimed, not yet announced
}

func newJobRun(st jobState, claim func(now time.Time) statement) *jobRun {
	return &jobRun{state: st, claim: claim}
}

// attempt runs the invocation, or what is left of it after a failure.
func (r *jobRun) attempt(ctx context.Context) error {
	if !r.claimed {
		res, err := r.state.batch(ctx, []statement{r.claim(time.Now())})
		if err != nil {
			return fmt.Errorf("claim jobs: %w", err)
		}
		r.claimed, r.pending = true, res[0].Rows
	}
	for len(r.pending) > 0 {
		j := r.pending[0]
		payload, err := json.Marshal(struct {
			Job          string  `json:"job"`
			ScheduledFor float64 `json:"scheduled_for"`
			FiredAt      float64 `json:"fired_at"`
		}{j.str("id"), j.float("scheduled_for"), j.float("fired_at")})
		if err != nil {
			return fmt.Errorf("encode the announcement of job %s: %w", j.str("id"), err)
		}
		if _, err := r.state.publish(ctx, jobsChannel, payload); err != nil {
			return fmt.Errorf("announce job %s: %w", j.str("id"), err)
		}
		r.pending = r.pending[1:]
	}
	return nil
}

// queuedJob is the body of a job's queue message.
type queuedJob struct {
	Job string `json:"job"`
}

func jobMessage(id string) json.RawMessage {
	b, _ := json.Marshal(queuedJob{Job: id}) // a struct of one string always encodes
	return b
}
