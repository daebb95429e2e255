package edge

import (
	"fmt"
	"testing"
	"time"

	"versus/targets/internal/crashtest"
)

// TestCrashKeepsAcknowledgedWrites runs `versus serve edge` as its own
// process, streams signed webhooks at it, kills it with SIGKILL mid-stream,
// restarts it on the same data folder and reads everything back: every
// acknowledged event is stored exactly once, and jobs scheduled before the
// kill, by alarm, queue and cron, fire after the restart, none twice. The
// cron ticks every second (--cron-period) rather than every minute, so
// that its jobs fall due within the test.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	t.Parallel()
	bin := crashtest.Binary(t)
	data := t.TempDir()
	addr := crashtest.FreeAddr(t)
	serve := func() *crashtest.Server {
		return crashtest.Serve(t, bin, "edge", addr, data, testSecret, "--cron-period", "1s")
	}

	first := serve()
	// A few jobs of each mechanism fall due before the kill (they must
	// not run again after the restart), the rest after it.
	var jobs []crashtest.Job
	for i := range 45 {
		via, delay := scheduleVia[i%len(scheduleVia)], 2500*time.Millisecond
		if i < 6 {
			delay = 100 * time.Millisecond
		}
		jobs = append(jobs, crashtest.Job{ID: fmt.Sprintf("job_%s_%d", via, i), Delay: delay, Via: via})
	}
	jobIDs := crashtest.ScheduleJobs(t, first.URL, jobs)

	stream := crashtest.StreamWebhooks(first.URL, testSecret, 200)
	time.Sleep(1500 * time.Millisecond)
	killedAt := first.Kill()
	sent, acked := stream.Stop()

	second := serve()
	defer second.Stop()

	events := crashtest.CountEvents(t, second.URL, sent, acked)
	for _, id := range events.Lost {
		t.Errorf("acknowledged event %s was not stored", id)
	}
	for id, n := range events.Doubled {
		t.Errorf("event %s stored %d times, want 1", id, n)
	}
	t.Logf("webhooks: %d sent, %d acknowledged, %d stored (%d stored without an acknowledgement: in flight at the kill), %d lost, %d duplicated",
		events.Sent, events.Acked, events.Stored, events.StoredUnacked, len(events.Lost), len(events.Doubled))
	if events.Acked < 100 {
		t.Errorf("only %d events acknowledged before the kill: the stream did not run", events.Acked)
	}

	// Wait past the queue's 5 s batch timeout.
	runs := crashtest.WaitJobs(t, second.URL, jobIDs, 20*time.Second)
	for _, id := range runs.Lost {
		t.Errorf("job %s is unknown after the restart", id)
	}
	for _, id := range runs.Unfired {
		t.Errorf("job %s never fired", id)
	}
	for _, id := range runs.Early {
		t.Errorf("job %s fired before its scheduled_for", id)
	}
	for id, n := range runs.Twice {
		t.Errorf("job %s ran %d times", id, n)
	}
	beforeKill := runs.FiredBefore(killedAt)
	t.Logf("jobs (%v): %d scheduled before the kill, %d fired once (%d before the kill, %d after the restart), %d ran twice",
		scheduleVia, runs.Scheduled, runs.FiredOnce, beforeKill, runs.Fired-beforeKill, len(runs.Twice))
}

// freeAddr is also what the package's in-process serve test listens on.
var freeAddr = crashtest.FreeAddr
