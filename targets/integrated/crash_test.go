package integrated_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"versus/targets/stripesig"
)

// TestCrashKeepsEveryAcknowledgedWrite kills `versus serve integrated`
// with SIGKILL while signed webhooks stream in and jobs are pending, then
// restarts it on the same data folder: every event that got a 200 must be
// stored exactly once, and every job that got a 202 must fire exactly once,
// whether it fell due before the kill or after the restart.
func TestCrashKeepsEveryAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the versus binary and kills it")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "versus")
	build := exec.Command("go", "build", "-o", bin, "versus")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build versus: %v\n%s", err, out)
	}
	data := filepath.Join(tmp, "data")
	addr := freeAddr(t)
	base := "http://" + addr

	first := serveIntegrated(t, bin, addr, data)

	// Jobs due from now to 3 s from now: some fire before the kill, the
	// rest are pending in the database when the process dies.
	const jobs = 60
	var jobIDs []string
	for i := range jobs {
		id := fmt.Sprintf("crash_job_%d", i)
		body := fmt.Sprintf(`{"id":%q,"delay_ms":%d}`, id, i*50)
		if code := post(base+"/jobs", []byte(body), nil); code != http.StatusAccepted {
			t.Fatalf("schedule %s: status %d", id, code)
		}
		jobIDs = append(jobIDs, id)
	}

	// Stream signed webhooks at about 200/s until the kill.
	var (
		mu      sync.Mutex
		acked   []string
		sent    atomic.Int64
		stop    = make(chan struct{})
		workers sync.WaitGroup
	)
	for w := range 4 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			tick := time.NewTicker(20 * time.Millisecond) // 4 workers x 50/s
			defer tick.Stop()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				id := fmt.Sprintf("evt_crash_%d_%d", w, n)
				body := []byte(fmt.Sprintf(`{"id":%q,"type":"charge.succeeded","created":%d,"data":{}}`, id, time.Now().Unix()))
				sent.Add(1)
				code := post(base+"/webhooks/stripe", body, map[string]string{
					stripesig.Header: stripesig.Sign([]byte(secret), time.Now(), body)})
				if code == http.StatusOK {
					mu.Lock()
					acked = append(acked, id)
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	killedAt := time.Now()
	time.Sleep(100 * time.Millisecond) // deliveries in flight fail against the dead port
	close(stop)
	workers.Wait()

	second := serveIntegrated(t, bin, addr, data)
	defer func() {
		second.Process.Signal(os.Interrupt)
		second.Wait()
	}()

	// Every acknowledged event is stored exactly once.
	counts := map[string]int64{}
	for i := 0; i < len(acked); i += 1000 {
		ids := acked[i:min(i+1000, len(acked))]
		var check struct{ Counts map[string]int64 }
		body, _ := json.Marshal(map[string][]string{"ids": ids})
		if code := postJSON(base+"/webhooks/events/check", body, &check); code != 200 {
			t.Fatalf("events check: status %d", code)
		}
		for id, n := range check.Counts {
			counts[id] = n
		}
	}
	lost, doubled := 0, 0
	for _, id := range acked {
		switch counts[id] {
		case 0:
			lost++
		case 1:
		default:
			doubled++
		}
	}
	t.Logf("webhooks: %d sent, %d acknowledged before the kill, %d lost, %d stored twice", sent.Load(), len(acked), lost, doubled)
	if len(acked) < 100 {
		t.Errorf("only %d webhooks acknowledged in 1.5 s at 200/s", len(acked))
	}
	if lost > 0 || doubled > 0 {
		t.Errorf("%d acknowledged events lost, %d stored twice", lost, doubled)
	}

	// Every job fires exactly once; wait past the last one's due time.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var check struct {
			Jobs []struct {
				ID           string
				ScheduledFor float64  `json:"scheduled_for"`
				FiredAt      *float64 `json:"fired_at"`
				Runs         int64
			}
		}
		body, _ := json.Marshal(map[string][]string{"ids": jobIDs})
		if code := postJSON(base+"/jobs/check", body, &check); code != 200 {
			t.Fatalf("jobs check: status %d", code)
		}
		fired, twice, early, beforeKill := 0, 0, 0, 0
		for _, j := range check.Jobs {
			if j.Runs >= 1 {
				fired++
			}
			if j.Runs > 1 {
				twice++
			}
			if j.FiredAt != nil && *j.FiredAt < j.ScheduledFor {
				early++
			}
			if j.FiredAt != nil && *j.FiredAt < float64(killedAt.UnixMicro())/1000 {
				beforeKill++
			}
		}
		if twice > 0 || early > 0 || len(check.Jobs) != jobs {
			t.Fatalf("jobs: %d known of %d, %d ran twice, %d fired before they were due", len(check.Jobs), jobs, twice, early)
		}
		if fired == jobs {
			t.Logf("jobs: %d scheduled, %d fired before the kill, %d after the restart, none twice", jobs, beforeKill, jobs-beforeKill)
			if beforeKill == 0 || beforeKill == jobs {
				t.Errorf("the kill did not fall between the jobs (%d of %d fired before it)", beforeKill, jobs)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs: %d of %d fired 10 s after the restart", fired, jobs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serveIntegrated starts `versus serve integrated` and waits for /health.
func serveIntegrated(t *testing.T, bin, addr, data string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve", "integrated", "--addr", addr, "--data", data)
	cmd.Env = append(os.Environ(), "VERSUS_WEBHOOK_SECRET="+secret)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return cmd
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("versus serve integrated did not answer /health within 15 s; stderr:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var crashClient = &http.Client{Timeout: 5 * time.Second}

func post(url string, body []byte, header map[string]string) int {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := crashClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var drain bytes.Buffer
	drain.ReadFrom(resp.Body)
	return resp.StatusCode
}

func postJSON(url string, body []byte, out any) int {
	resp, err := crashClient.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}
