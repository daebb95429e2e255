package edge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"versus/targets"
)

type scheduled struct {
	ID           string  `json:"id"`
	ScheduledFor float64 `json:"scheduled_for"`
}

func schedule(t *testing.T, base, id string, delay time.Duration, via string) scheduled {
	t.Helper()
	var out scheduled
	body := map[string]any{"id": id, "delay_ms": float64(delay) / float64(time.Millisecond)}
	if via != "" {
		body["via"] = via
	}
	if code := call(t, http.MethodPost, base+"/jobs", body, &out); code != http.StatusAccepted {
		t.Fatalf("POST /jobs %s via %q: HTTP %d, want 202", id, via, code)
	}
	return out
}

func TestEachMechanismFires(t *testing.T) {
	tests := []struct {
		name  string
		via   string
		delay time.Duration
		// check sees the job's announcement and when it was sent (ms).
		check func(t *testing.T, a announcement, sentAt float64)
	}{
		{"an alarm fires at its time", "", 150 * time.Millisecond, func(t *testing.T, a announcement, sentAt float64) {
			if late := a.FiredAt - a.ScheduledFor; late > 500 {
				t.Errorf("alarm fired %.0f ms late", late)
			}
		}},
		{"a cron job fires on a period boundary", viaCron, 0, func(t *testing.T, a announcement, _ float64) {
			if off := math.Mod(a.FiredAt, 1000); off > 300 {
				t.Errorf("cron fired %.0f ms after a whole second; the 1s dispatcher ticks on whole seconds", off)
			}
		}},
		{"a queued job waits whole seconds", viaQueue, 250 * time.Millisecond, func(t *testing.T, a announcement, sentAt float64) {
			if waited := a.FiredAt - sentAt; waited < 1000 {
				t.Errorf("queued job fired %.0f ms after it was sent; a 250 ms delay rounds up to 1 s", waited)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inst := startEdge(t, quickTarget(time.Second), targets.Env{})
			frames, _ := subscribe(t, inst.URL(), jobsChannel)
			sentAt := epochMS(time.Now())
			s := schedule(t, inst.URL(), "job_1", tc.delay, tc.via)
			if want := sentAt + float64(tc.delay/time.Millisecond); s.ScheduledFor < want || s.ScheduledFor > want+1000 {
				t.Errorf("scheduled_for = %.0f, want about %.0f", s.ScheduledFor, want)
			}
			a := jobsFired(t, frames, 1, 5*time.Second)["job_1"][0]
			if a.ScheduledFor != s.ScheduledFor || a.FiredAt < a.ScheduledFor {
				t.Errorf("announcement %+v: want scheduled_for %.0f and fired_at at or after it", a, s.ScheduledFor)
			}
			tc.check(t, a, sentAt)
			j := checkJobs(t, inst.URL(), "job_1")["job_1"]
			if j.Runs != 1 || j.FiredAt == nil || *j.FiredAt != a.FiredAt {
				t.Errorf("job = %+v, want one run fired at %.0f", j, a.FiredAt)
			}
		})
	}
}

func TestQueueBatches(t *testing.T) {
	t.Run("a full batch is delivered as soon as it is visible", func(t *testing.T) {
		t.Parallel()
		inst := startEdge(t, &Target{cronPeriod: time.Hour, queue: productionQueue}, targets.Env{})
		frames, _ := subscribe(t, inst.URL(), jobsChannel)
		sentAt := epochMS(time.Now())
		for i := range productionQueue.maxBatchSize {
			schedule(t, inst.URL(), fmt.Sprintf("job_%d", i), 250*time.Millisecond, viaQueue)
		}
		for id, as := range jobsFired(t, frames, productionQueue.maxBatchSize, 5*time.Second) {
			// Visible 1 s after its send; the full batch need not wait 5 s.
			if waited := as[0].FiredAt - sentAt; waited < 1000 || waited > 3000 {
				t.Errorf("%s fired %.0f ms after the first send, want 1000 to 3000", id, waited)
			}
		}
		// A write, a read and a delete per message.
		waitMeter(t, inst.URL(), "queue_operations", float64(3*productionQueue.maxBatchSize))
	})
	t.Run("a lone message waits for the batch timeout", func(t *testing.T) {
		t.Parallel()
		inst := startEdge(t, quickTarget(time.Hour), targets.Env{})
		frames, _ := subscribe(t, inst.URL(), jobsChannel)
		sentAt := epochMS(time.Now())
		schedule(t, inst.URL(), "job_lone", 0, viaQueue)
		a := jobsFired(t, frames, 1, 5*time.Second)["job_lone"][0]
		if waited := a.FiredAt - sentAt; waited < float64(quickQueue.maxBatchTimeout/time.Millisecond) {
			t.Errorf("fired %.0f ms after the send, before the %s batch timeout", waited, quickQueue.maxBatchTimeout)
		}
	})
}

func TestDelaySecondsRoundsUp(t *testing.T) {
	tests := []struct {
		delay time.Duration
		want  int
	}{
		{-time.Second, 0},
		{0, 0},
		{time.Nanosecond, 1},
		{250 * time.Millisecond, 1},
		{time.Second, 1},
		{time.Second + time.Millisecond, 2},
		{queueMaxDelay, 86400},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s becomes %d s", tc.delay, tc.want), func(t *testing.T) {
			if got := delaySeconds(tc.delay); got != tc.want {
				t.Errorf("delaySeconds(%s) = %d", tc.delay, got)
			}
		})
	}
}

func TestNextBoundaryAlignsToTheWallClock(t *testing.T) {
	base := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		now    time.Time
		period time.Duration
		want   time.Time
	}{
		{base.Add(20 * time.Second), time.Minute, base.Add(time.Minute)},
		{base, time.Minute, base.Add(time.Minute)},
		{base.Add(59*time.Second + 999*time.Millisecond), time.Minute, base.Add(time.Minute)},
		{base.Add(1500 * time.Millisecond), time.Second, base.Add(2 * time.Second)},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s with period %s ticks at %s", tc.now.Format("15:04:05.000"), tc.period, tc.want.Format("15:04:05")), func(t *testing.T) {
			if got := nextBoundary(tc.now, tc.period); !got.Equal(tc.want) {
				t.Errorf("nextBoundary = %s", got.Format(time.RFC3339Nano))
			}
		})
	}
}

func TestReplaysDoNotRunJobsTwice(t *testing.T) {
	for _, via := range scheduleVia {
		t.Run("a job posted twice via "+via+" runs once", func(t *testing.T) {
			t.Parallel()
			inst := startEdge(t, quickTarget(time.Second), targets.Env{})
			frames, _ := subscribe(t, inst.URL(), jobsChannel)
			first := schedule(t, inst.URL(), "job_twice", 200*time.Millisecond, via)
			time.Sleep(10 * time.Millisecond)
			second := schedule(t, inst.URL(), "job_twice", 200*time.Millisecond, via)
			if second.ScheduledFor != first.ScheduledFor {
				t.Errorf("second post moved scheduled_for from %.0f to %.0f", first.ScheduledFor, second.ScheduledFor)
			}
			jobsFired(t, frames, 1, 5*time.Second)
			select {
			case m := <-frames:
				t.Errorf("a second announcement arrived: %s", m.Payload)
			case <-time.After(1500 * time.Millisecond):
			}
			if j := checkJobs(t, inst.URL(), "job_twice")["job_twice"]; j.Runs != 1 {
				t.Errorf("runs = %d, want 1", j.Runs)
			}
		})
	}
}

func TestRestartRearmsPendingJobs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tg := quickTarget(time.Second)
	// The first life has no cron tick within the test, so nothing fires
	// before the restart.
	first, err := tg.Start(context.Background(), targets.Env{WebhookSecret: testSecret, DataDir: dir, CronPeriod: time.Hour, Log: testLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{"job_alarm": viaAlarm, "job_cron": viaCron, "job_queue": viaQueue}
	want := map[string]scheduled{}
	for id, via := range ids {
		want[id] = schedule(t, first.URL(), id, 700*time.Millisecond, via)
	}
	for id, j := range checkJobs(t, first.URL(), "job_alarm", "job_cron", "job_queue") {
		if j.FiredAt != nil {
			t.Fatalf("%s fired before the restart: %+v", id, j)
		}
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := startEdge(t, tg, targets.Env{DataDir: dir})
	frames, _ := subscribe(t, second.URL(), jobsChannel)
	got := jobsFired(t, frames, len(ids), 5*time.Second)
	select {
	case m := <-frames:
		t.Errorf("an extra announcement arrived: %s", m.Payload)
	case <-time.After(1500 * time.Millisecond):
	}
	for id := range ids {
		if len(got[id]) != 1 || got[id][0].ScheduledFor != want[id].ScheduledFor {
			t.Errorf("%s announced %v, want once for scheduled_for %.0f", id, got[id], want[id].ScheduledFor)
		}
	}
	for id, j := range checkJobs(t, second.URL(), "job_alarm", "job_cron", "job_queue") {
		if j.Runs != 1 || j.FiredAt == nil || *j.FiredAt < j.ScheduledFor {
			t.Errorf("%s = %+v, want one run at or after scheduled_for", id, j)
		}
	}
}

// flakyState fails the first publishes it is asked for.
type flakyState struct {
	claims, publishes int
	failPublishes     int
	rows              []row
}

func (f *flakyState) batch(_ context.Context, _ []statement) ([]result, error) {
	f.claims++
	rows := f.rows
	f.rows = nil // a claim only ever returns a job once
	return []result{{Rows: rows}}, nil
}

func (f *flakyState) publish(_ context.Context, _ string, _ json.RawMessage) (targets.Ack, error) {
	f.publishes++
	if f.failPublishes > 0 {
		f.failPublishes--
		return targets.Ack{}, errors.New("relay unreachable")
	}
	return targets.Ack{Seq: int64(f.publishes)}, nil
}

func TestJobRunRetriesOnlyWhatItClaimed(t *testing.T) {
	st := &flakyState{failPublishes: 1, rows: []row{
		{"id": "a", "scheduled_for": 1.0, "fired_at": 2.0},
		{"id": "b", "scheduled_for": 1.0, "fired_at": 2.0},
	}}
	run := newJobRun(st, claimByIDs([]string{"a", "b"}))
	if err := run.attempt(context.Background()); err == nil {
		t.Fatal("first attempt succeeded although its publish failed")
	}
	if err := run.attempt(context.Background()); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if st.claims != 1 {
		t.Errorf("claimed %d times, want once: a retry must not claim again", st.claims)
	}
	if st.publishes != 3 {
		t.Errorf("%d publishes, want 3 (a fails, a again, b)", st.publishes)
	}
}
