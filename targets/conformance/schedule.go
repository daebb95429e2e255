package conformance

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"versus/targets"
)

// jobDelay is the delay of every job Verify schedules: long enough that
// firing early would show, short enough to keep the run quick.
const jobDelay = 250 * time.Millisecond

// stampTolerance is how far an announced time may be from the one
// GET /jobs/{id} shows: the rounding of a stored time, no more.
const stampTolerance = 1.0 // ms

// job is a job as GET /jobs/{id} and POST /jobs/check answer it.
type job struct {
	ID           string   `json:"id"`
	ScheduledFor *float64 `json:"scheduled_for"`
	FiredAt      *float64 `json:"fired_at"`
	Runs         *int64   `json:"runs"`
}

// consistent checks the fields of a job against each other.
func (j job) consistent() error {
	switch {
	case j.ScheduledFor == nil:
		return errors.New("no scheduled_for")
	case j.Runs == nil:
		return errors.New("no runs")
	case *j.Runs == 0 && j.FiredAt != nil:
		return fmt.Errorf("runs is 0 but fired_at is %v", *j.FiredAt)
	case *j.Runs > 0 && j.FiredAt == nil:
		return fmt.Errorf("runs is %d but fired_at is null", *j.Runs)
	case j.FiredAt != nil && *j.FiredAt < *j.ScheduledFor:
		return fmt.Errorf("fired_at %.3f is before scheduled_for %.3f: the job ran early", *j.FiredAt, *j.ScheduledFor)
	}
	return nil
}

func jobPath(id string) string { return "/jobs/" + url.PathEscape(id) }

// getJob reads GET /jobs/{id}.
func (v *verifier) getJob(ctx context.Context, id string) (job, error) {
	a, err := v.send(ctx, http.MethodGet, jobPath(id), nil, nil)
	if err != nil {
		return job{}, err
	}
	if err := a.want(http.StatusOK); err != nil {
		return job{}, err
	}
	var j job
	if err := a.decode(&j); err != nil {
		return job{}, err
	}
	if j.ID != id {
		return job{}, fmt.Errorf("answered id %q, want %q", j.ID, id)
	}
	return j, j.consistent()
}

// postJob schedules job id and checks the 202 and its scheduled_for
// against the harness clock, allowing for skew and the round trip.
func (v *verifier) postJob(ctx context.Context, id, via string) (float64, error) {
	body := map[string]any{"id": id, "delay_ms": jobDelay.Milliseconds()}
	if via != "" {
		body["via"] = via
	}
	sent := time.Now()
	a, err := v.sendJSON(ctx, http.MethodPost, "/jobs", body)
	answered := time.Now()
	if err != nil {
		return 0, err
	}
	if err := a.want(http.StatusAccepted); err != nil {
		return 0, err
	}
	var got struct {
		ID           string   `json:"id"`
		ScheduledFor *float64 `json:"scheduled_for"`
	}
	if err := a.decode(&got); err != nil {
		return 0, err
	}
	if got.ID != id {
		return 0, fmt.Errorf("answered id %q, want %q", got.ID, id)
	}
	if got.ScheduledFor == nil {
		return 0, fmt.Errorf("answer %s has no scheduled_for", snippet(a.body))
	}
	earliest := epochMS(sent.Add(jobDelay - v.opts.ClockSkew))
	latest := epochMS(answered.Add(jobDelay + v.opts.ClockSkew))
	if *got.ScheduledFor < earliest || *got.ScheduledFor > latest {
		return 0, fmt.Errorf("scheduled_for is %.0f ms from now + %v on the harness clock; allowed: %v of clock skew (set by ClockSkew)",
			*got.ScheduledFor-epochMS(sent.Add(jobDelay)), jobDelay, v.opts.ClockSkew)
	}
	return *got.ScheduledFor, nil
}

func epochMS(t time.Time) float64 { return float64(t.UnixNano()) / 1e6 }

// schedule checks POST /jobs, GET /jobs/{id} and POST /jobs/check, and
// that a job of every mechanism in schedule_via fires and is announced.
func (v *verifier) schedule(ctx context.Context, r *Report) {
	s := v.section(ctx, r, targets.CapSchedule)
	const post, get, check = "POST /jobs", "GET /jobs/{id}", "POST /jobs/check"
	if !s.declared {
		v.undeclared(ctx, s,
			probe{route: post, method: http.MethodPost, path: "/jobs", body: []byte(`{}`)},
			probe{route: check, method: http.MethodPost, path: "/jobs/check", body: []byte(`{"ids":[]}`)},
		)
		return
	}
	s.check(post, "accepts a job without via (the default mechanism) with 202", func() error {
		_, err := v.postJob(ctx, v.id("job-default"), "")
		return err
	})
	refusals := []struct{ name, body string }{
		{"refuses an unknown via with 400 {error}", `{"id":"` + v.id("job-bad-via") + `","delay_ms":250,"via":"versus-verify-no-such-mechanism"}`},
		{"refuses a negative delay_ms with 400 {error}", `{"id":"` + v.id("job-negative") + `","delay_ms":-1}`},
	}
	for _, c := range refusals {
		s.check(post, c.name, func() error {
			a, err := v.send(ctx, http.MethodPost, "/jobs", []byte(c.body), nil)
			if err != nil {
				return err
			}
			return a.wantError(http.StatusBadRequest)
		})
	}
	s.check(get, "answers 404 for an unknown job", func() error {
		a, err := v.send(ctx, http.MethodGet, jobPath(v.id("job-never-scheduled")), nil, nil)
		if err != nil {
			return err
		}
		return a.want(http.StatusNotFound)
	})
	s.check(check, "refuses more than 1000 ids with 400 {error}", func() error {
		ids := make([]string, maxCheckIDs+1)
		for i := range ids {
			ids[i] = v.id(fmt.Sprintf("job-many-%d", i))
		}
		a, err := v.sendJSON(ctx, http.MethodPost, "/jobs/check", map[string][]string{"ids": ids})
		if err != nil {
			return err
		}
		return a.wantError(http.StatusBadRequest)
	})

	// One subscription to channel jobs, opened before any job is
	// scheduled so no announcement can be missed.
	var watch *jobWatch
	watchErr := notDeclared(targets.CapSubscribe)
	if v.declared.Has(targets.CapSubscribe) {
		watch, watchErr = v.watchJobs(ctx)
		if watchErr != nil {
			watchErr = fmt.Errorf("subscribing to channel %s: %w", jobsChannel, watchErr)
		}
	}
	defer watch.close()

	// The mechanisms wait at the same time: a slow one (cron) does not
	// add its wait to the others'.
	parts := make([]*Report, len(v.declared.ScheduleVia))
	var wg sync.WaitGroup
	for i, via := range v.declared.ScheduleVia {
		parts[i] = &Report{}
		part := &section{ctx: ctx, report: parts[i], capability: s.capability, declared: true}
		wg.Go(func() { v.scheduleVia(ctx, part, via, watch, watchErr) })
	}
	wg.Wait()
	for _, p := range parts {
		r.Checks = append(r.Checks, p.Checks...)
	}
}

// scheduleVia schedules one job via a mechanism and follows it until it
// has fired, been announced and been reported by POST /jobs/check.
func (v *verifier) scheduleVia(ctx context.Context, s *section, via string, watch *jobWatch, watchErr error) {
	id := v.id("job-via-" + sanitize(via))
	wait, lateIsFailure := v.opts.waitFor(via)
	prefix := "via " + via + ": "
	var scheduledFor float64
	var posted time.Time
	var last job
	scheduled, fired := false, false

	s.check("POST /jobs", prefix+fmt.Sprintf("answers 202 with scheduled_for near now + %v", jobDelay), func() error {
		var err error
		posted = time.Now()
		scheduledFor, err = v.postJob(ctx, id, via)
		scheduled = err == nil
		return err
	})
	s.check("GET /jobs/{id}", prefix+"shows the job with its scheduled_for", func() error {
		if !scheduled {
			return after("POST /jobs")
		}
		j, err := v.getJob(ctx, id)
		if err != nil {
			return err
		}
		if *j.ScheduledFor != scheduledFor {
			return fmt.Errorf("scheduled_for is %.3f; POST /jobs answered %.3f", *j.ScheduledFor, scheduledFor)
		}
		last = j
		return nil
	})
	s.check("GET /jobs/{id}", prefix+fmt.Sprintf("fires within %v: fired_at >= scheduled_for, runs == 1", wait), func() error {
		if !scheduled {
			return after("POST /jobs")
		}
		j, err := v.awaitFired(ctx, id, posted.Add(jobDelay+wait), watch)
		if err != nil {
			return err
		}
		last = j
		if j.FiredAt == nil {
			if lateIsFailure {
				return fmt.Errorf("not fired %v after it was due", wait)
			}
			return skipf("not fired %v after it was due: cron dispatch runs on a period (a minute on Cloudflare Cron Triggers) longer than the wait; rerun with --cron-wait 70s to wait for it", wait)
		}
		if *j.Runs != 1 {
			return fmt.Errorf("runs is %d, want 1", *j.Runs)
		}
		fired = true
		return nil
	})
	s.check("GET /channels/jobs/subscribe", prefix+"announces the job on channel jobs with its scheduled_for and fired_at", func() error {
		if watch == nil {
			return watchErr
		}
		if !fired {
			return after("the job firing")
		}
		got := watch.await(ctx, id, time.Now().Add(v.opts.Timeout))
		if len(got) == 0 {
			if err := watch.sub.Err(); err != nil {
				return err
			}
			return fmt.Errorf("no announcement of job %s within %v of it firing", id, v.opts.Timeout)
		}
		if len(got) > 1 {
			return fmt.Errorf("job %s was announced %d times", id, len(got))
		}
		h := got[0]
		switch {
		case h.channel != jobsChannel:
			return fmt.Errorf("frame names channel %q, want %q", h.channel, jobsChannel)
		case h.body.ScheduledFor == nil || math.Abs(*h.body.ScheduledFor-*last.ScheduledFor) > stampTolerance:
			return fmt.Errorf("announcement %s: scheduled_for differs from GET /jobs/{id}'s %.3f", snippet(h.raw), *last.ScheduledFor)
		case h.body.FiredAt == nil || math.Abs(*h.body.FiredAt-*last.FiredAt) > stampTolerance:
			return fmt.Errorf("announcement %s: fired_at differs from GET /jobs/{id}'s %.3f", snippet(h.raw), *last.FiredAt)
		}
		return nil
	})
	s.check("POST /jobs/check", prefix+"reports the job as GET /jobs/{id} does", func() error {
		if !scheduled {
			return after("POST /jobs")
		}
		a, err := v.sendJSON(ctx, http.MethodPost, "/jobs/check", map[string][]string{"ids": {id}})
		if err != nil {
			return err
		}
		if err := a.want(http.StatusOK); err != nil {
			return err
		}
		var got struct {
			Jobs []job `json:"jobs"`
		}
		if err := a.decode(&got); err != nil {
			return err
		}
		if len(got.Jobs) != 1 || got.Jobs[0].ID != id {
			return fmt.Errorf("answered %s, want the one job %s", snippet(a.body), id)
		}
		j := got.Jobs[0]
		if err := j.consistent(); err != nil {
			return err
		}
		if *j.ScheduledFor != scheduledFor {
			return fmt.Errorf("scheduled_for is %.3f; POST /jobs answered %.3f", *j.ScheduledFor, scheduledFor)
		}
		if fired && (j.FiredAt == nil || *j.FiredAt != *last.FiredAt || *j.Runs != *last.Runs) {
			return fmt.Errorf("answered %s; GET /jobs/{id} showed fired_at %.3f and runs %d", snippet(a.body), *last.FiredAt, *last.Runs)
		}
		return nil
	})
}

// awaitFired polls GET /jobs/{id} until the job has fired or the deadline
// passes, and returns the last answer. Polls start quick and slow down so
// a long cron wait costs tens of requests, not thousands; an announcement
// on channel jobs wakes the poll at once.
func (v *verifier) awaitFired(ctx context.Context, id string, deadline time.Time, watch *jobWatch) (job, error) {
	interval := 50 * time.Millisecond
	for {
		j, err := v.getJob(ctx, id)
		if err != nil || j.FiredAt != nil || !time.Now().Before(deadline) {
			return j, err
		}
		var announced <-chan struct{}
		if watch != nil {
			if got, changed := watch.heardOf(id); len(got) == 0 {
				announced = changed
			}
		}
		timer := time.NewTimer(min(interval, time.Until(deadline)))
		select {
		case <-timer.C:
		case <-announced:
			timer.Stop()
		case <-ctx.Done():
			timer.Stop()
			return j, ctx.Err()
		}
		interval = min(interval*3/2, time.Second)
	}
}

// sanitize keeps the characters of s that an id may hold.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == ':', r == '.', r == '-':
			return r
		}
		return '_'
	}, s)
}
