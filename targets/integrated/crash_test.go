package integrated_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"versus/targets/internal/crashtest"
)

// TestCrashKeepsEveryAcknowledgedWrite kills `versus serve integrated`
// with SIGKILL while signed webhooks stream in and jobs are pending, then
// restarts it on the same data folder: every event that got a 200 must be
// stored exactly once, and every job that got a 202 must fire exactly once,
// whether it fell due before the kill or after the restart.
func TestCrashKeepsEveryAcknowledgedWrite(t *testing.T) {
	bin := crashtest.Binary(t)
	data := filepath.Join(t.TempDir(), "data")
	addr := crashtest.FreeAddr(t)

	first := crashtest.Serve(t, bin, "integrated", addr, data, secret)

	// runAfter jobs due from now to 3 s from now: some fire before the
	// kill, the rest are pending in the database when the process dies.
	const jobs = 60
	var toSchedule []crashtest.Job
	for i := range jobs {
		toSchedule = append(toSchedule, crashtest.Job{ID: fmt.Sprintf("crash_job_%d", i), Delay: time.Duration(i) * 50 * time.Millisecond})
	}
	jobIDs := crashtest.ScheduleJobs(t, first.URL, toSchedule)

	stream := crashtest.StreamWebhooks(first.URL, secret, 200)
	time.Sleep(1500 * time.Millisecond)
	killedAt := first.Kill()
	time.Sleep(100 * time.Millisecond) // deliveries in flight fail against the dead port
	sent, acked := stream.Stop()

	second := crashtest.Serve(t, bin, "integrated", addr, data, secret)
	defer second.Stop()

	events := crashtest.CountEvents(t, second.URL, sent, acked)
	t.Logf("webhooks: %d sent, %d acknowledged before the kill, %d lost, %d stored twice", events.Sent, events.Acked, len(events.Lost), len(events.Doubled))
	if events.Acked < 100 {
		t.Errorf("only %d webhooks acknowledged in 1.5 s at 200/s", events.Acked)
	}
	if len(events.Lost) > 0 || len(events.Doubled) > 0 {
		t.Errorf("%d acknowledged events lost %v, %d stored twice %v", len(events.Lost), events.Lost, len(events.Doubled), events.Doubled)
	}

	// Every job fires exactly once; wait past the last one's due time.
	runs := crashtest.WaitJobs(t, second.URL, jobIDs, 10*time.Second)
	if len(runs.Lost) > 0 || len(runs.Twice) > 0 || len(runs.Early) > 0 {
		t.Fatalf("jobs: %d known of %d, %d ran twice %v, %d fired before they were due %v",
			jobs-len(runs.Lost), jobs, len(runs.Twice), runs.Twice, len(runs.Early), runs.Early)
	}
	if len(runs.Unfired) > 0 {
		t.Fatalf("jobs: %d of %d fired 10 s after the restart; not fired: %v", jobs-len(runs.Unfired), jobs, runs.Unfired)
	}
	beforeKill := runs.FiredBefore(killedAt)
	t.Logf("jobs: %d scheduled, %d fired before the kill, %d after the restart, none twice", jobs, beforeKill, jobs-beforeKill)
	if beforeKill == 0 || beforeKill == jobs {
		t.Errorf("the kill did not fall between the jobs (%d of %d fired before it)", beforeKill, jobs)
	}
}
