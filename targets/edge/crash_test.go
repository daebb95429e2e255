package edge

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"versus/targets/stripesig"
)

// TestCrashKeepsAcknowledgedWrites runs `versus serve edge` as its own
// process, streams signed webhooks at it, kills it with SIGKILL mid-stream,
// restarts it on the same data folder and reads everything back: every
// acknowledged event is stored exactly once, and jobs scheduled before the
// kill fire after the restart, none twice. (Cron jobs are left out: the
// served target ticks once a minute.)
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the versus binary and kills it: skipped under -short")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "versus")
	build := exec.Command("go", "build", "-o", bin, "versus")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build versus: %v\n%s", err, out)
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	base := "http://" + addr

	first := serveEdge(t, bin, addr, dir)

	// Jobs: a few due before the kill (they must not run again after the
	// restart) and the rest due after it, the queued ones in full batches.
	var jobIDs []string
	for i := range 44 {
		via, delay := viaAlarm, 2500*time.Millisecond
		if i%2 == 1 {
			via = viaQueue
		}
		if i < 4 {
			delay = 100 * time.Millisecond
		}
		id := fmt.Sprintf("job_%s_%d", via, i)
		schedule(t, base, id, delay, via)
		jobIDs = append(jobIDs, id)
	}

	// Webhooks at about 200/s until the kill.
	client := &http.Client{Timeout: 5 * time.Second}
	var (
		mu    sync.Mutex
		acked []string
		sent  []string
		wg    sync.WaitGroup
	)
	stop := make(chan struct{})
	go func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			id := fmt.Sprintf("evt_crash_%d", i)
			mu.Lock()
			sent = append(sent, id)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				if deliverEvent(client, base, id) {
					mu.Lock()
					acked = append(acked, id)
					mu.Unlock()
				}
			}()
		}
	}()
	time.Sleep(1500 * time.Millisecond)
	if err := first.Process.Kill(); err != nil {
		t.Fatalf("kill -9: %v", err)
	}
	first.Wait()
	close(stop)
	wg.Wait()

	second := serveEdge(t, bin, addr, dir)
	defer func() {
		second.Process.Signal(os.Interrupt)
		if err := second.Wait(); err != nil {
			t.Errorf("the restarted server did not stop cleanly on SIGINT: %v", err)
		}
	}()

	stored, lost, duplicates := 0, 0, 0
	counts := map[string]int64{}
	for i := 0; i < len(sent); i += 1000 {
		var out struct{ Counts map[string]int64 }
		if code := call(t, http.MethodPost, base+"/webhooks/events/check", map[string]any{"ids": sent[i:min(i+1000, len(sent))]}, &out); code != http.StatusOK {
			t.Fatalf("events check: HTTP %d", code)
		}
		for id, n := range out.Counts {
			counts[id] = n
		}
	}
	for _, id := range sent {
		if counts[id] > 0 {
			stored++
		}
		if counts[id] > 1 {
			duplicates++
		}
	}
	for _, id := range acked {
		if counts[id] != 1 {
			lost++
			t.Errorf("acknowledged event %s stored %d times, want 1", id, counts[id])
		}
	}
	t.Logf("webhooks: %d sent, %d acknowledged, %d stored (%d stored without an acknowledgement: in flight at the kill), %d lost, %d duplicated",
		len(sent), len(acked), stored, stored-len(acked), lost, duplicates)
	if len(acked) < 100 {
		t.Errorf("only %d events acknowledged before the kill: the stream did not run", len(acked))
	}

	// Every job fires once; wait past the queue's 5 s batch timeout.
	deadline := time.Now().Add(20 * time.Second)
	var jobs map[string]jobView
	for {
		jobs = checkJobs(t, base, jobIDs...)
		fired := 0
		for _, j := range jobs {
			if j.FiredAt != nil {
				fired++
			}
		}
		if fired == len(jobIDs) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // room for a wrong second run
	jobs = checkJobs(t, base, jobIDs...)
	fired, twice := 0, 0
	for _, id := range jobIDs {
		j := jobs[id]
		switch {
		case j.Runs == 1 && j.FiredAt != nil && *j.FiredAt >= j.ScheduledFor:
			fired++
		case j.Runs > 1:
			twice++
			t.Errorf("job %s ran %d times", id, j.Runs)
		default:
			t.Errorf("job %s = %+v, want one run at or after scheduled_for", id, j)
		}
	}
	t.Logf("jobs: %d scheduled before the kill, %d fired once, %d ran twice", len(jobIDs), fired, twice)
}

// serveEdge starts `versus serve edge` and waits until it answers.
func serveEdge(t *testing.T, bin, addr, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve", "edge", "--addr", addr, "--data", dir)
	cmd.Env = append(os.Environ(), "VERSUS_WEBHOOK_SECRET="+testSecret)
	cmd.Stderr = testLog{t}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/health")
		if err == nil {
			resp.Body.Close()
			return cmd
		}
		if time.Now().After(deadline) {
			t.Fatalf("versus serve edge never answered on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// deliverEvent posts a signed event and reports whether it was acknowledged.
func deliverEvent(client *http.Client, base, id string) bool {
	body := []byte(`{"id":"` + id + `","type":"charge.succeeded","created":1,"data":{"object":{"amount":1200}}}`)
	req, err := http.NewRequest(http.MethodPost, base+"/webhooks/stripe", strings.NewReader(string(body)))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(stripesig.Header, stripesig.Sign([]byte(testSecret), time.Now(), body))
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
