package crashtest

import (
	"net/http"
	"testing"
	"time"
)

// Job is a job to schedule through POST /jobs.
type Job struct {
	ID    string
	Delay time.Duration
	// Via names the mechanism; empty is the target's default.
	Via string
}

// ScheduleJobs posts each job to base/jobs, fails the test unless every
// one is acknowledged 202, and returns their ids in order.
func ScheduleJobs(t testing.TB, base string, jobs []Job) []string {
	t.Helper()
	ids := make([]string, 0, len(jobs))
	for _, j := range jobs {
		body := map[string]any{"id": j.ID, "delay_ms": float64(j.Delay) / float64(time.Millisecond)}
		if j.Via != "" {
			body["via"] = j.Via
		}
		postJSON(t, base+"/jobs", body, http.StatusAccepted, nil)
		ids = append(ids, j.ID)
	}
	return ids
}

// jobView is one job as POST /jobs/check shows it (times in Unix ms).
type jobView struct {
	ID           string   `json:"id"`
	ScheduledFor float64  `json:"scheduled_for"`
	FiredAt      *float64 `json:"fired_at"`
	Runs         int64    `json:"runs"`
}

// JobRuns is what POST /jobs/check said of scheduled jobs at the end of
// WaitJobs.
type JobRuns struct {
	Scheduled int
	// Fired counts the jobs that ran, once or more.
	Fired int
	// FiredOnce counts the jobs that ran exactly once, at or after their
	// scheduled_for.
	FiredOnce int
	// Lost are the jobs the target does not know; Unfired, those it knows
	// that never ran; Early, those that ran before their scheduled_for.
	Lost, Unfired, Early []string
	// Twice are the jobs that ran more than once, with how many times.
	Twice map[string]int64

	firedAt []float64 // Unix ms, of every job that ran
}

// FiredBefore counts the jobs that ran before at, say a kill.
func (r JobRuns) FiredBefore(at time.Time) int {
	ms := float64(at.UnixMicro()) / 1000
	n := 0
	for _, f := range r.firedAt {
		if f < ms {
			n++
		}
	}
	return n
}

// secondRunGrace is how long WaitJobs keeps watching once every job has
// run, so that a wrong second run has room to show.
const secondRunGrace = time.Second

// WaitJobs polls POST /jobs/check until every job in ids has run or within
// has passed, then, after secondRunGrace, reads them once more and counts.
func WaitJobs(t testing.TB, base string, ids []string, within time.Duration) JobRuns {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		runs := tallyJobs(ids, checkJobs(t, base, ids))
		if len(runs.Lost)+len(runs.Unfired) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(secondRunGrace)
	return tallyJobs(ids, checkJobs(t, base, ids))
}

func checkJobs(t testing.TB, base string, ids []string) map[string]jobView {
	t.Helper()
	jobs := map[string]jobView{}
	checkInBatches(t, base+"/jobs/check", ids, func(out struct {
		Jobs []jobView `json:"jobs"`
	}) {
		for _, j := range out.Jobs {
			jobs[j.ID] = j
		}
	})
	return jobs
}

// tallyJobs counts the jobs in ids by what jobs says of them.
func tallyJobs(ids []string, jobs map[string]jobView) JobRuns {
	r := JobRuns{Scheduled: len(ids), Twice: map[string]int64{}}
	for _, id := range ids {
		j, known := jobs[id]
		switch {
		case !known:
			r.Lost = append(r.Lost, id)
			continue
		case j.FiredAt == nil || j.Runs == 0:
			r.Unfired = append(r.Unfired, id)
			continue
		}
		r.Fired++
		r.firedAt = append(r.firedAt, *j.FiredAt)
		early := *j.FiredAt < j.ScheduledFor
		if early {
			r.Early = append(r.Early, id)
		}
		if j.Runs > 1 {
			r.Twice[id] = j.Runs
		}
		if j.Runs == 1 && !early {
			r.FiredOnce++
		}
	}
	return r
}
