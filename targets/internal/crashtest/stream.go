package crashtest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"versus/targets/stripesig"
)

// streamWorkers is how many deliveries a Stream has in flight at most.
// Each worker waits for its answer before the next delivery, so a slow
// server slows the stream down rather than piling up connections; the
// tests check that enough got acknowledged.
const streamWorkers = 4

// Stream delivers signed webhook events until stopped.
type Stream struct {
	stop    chan struct{}
	done    sync.WaitGroup
	workers []streamWorker
}

// streamWorker's slices are its own until Stop has waited for it, so
// they need no lock.
type streamWorker struct {
	sent, acked []string
}

// StreamWebhooks starts posting signed events to base/webhooks/stripe at
// about rate a second (at least one a second per worker), each with an id
// of its own. Deliveries that fail, as every one does while the server is
// down, are counted as sent and not acknowledged.
func StreamWebhooks(base, secret string, rate int) *Stream {
	s := &Stream{stop: make(chan struct{}), workers: make([]streamWorker, streamWorkers)}
	every := streamWorkers * time.Second / time.Duration(max(rate, streamWorkers))
	for w := range s.workers {
		s.done.Add(1)
		go func() {
			defer s.done.Done()
			s.workers[w].run(s.stop, base, []byte(secret), w, every)
		}()
	}
	return s
}

func (w *streamWorker) run(stop <-chan struct{}, base string, secret []byte, worker int, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		id := fmt.Sprintf("evt_crash_%d_%d", worker, n)
		w.sent = append(w.sent, id)
		if deliver(base, secret, id) {
			w.acked = append(w.acked, id)
		}
	}
}

// Stop ends the stream, waits for the deliveries in flight, and returns
// the ids of every event sent and of those answered 200.
func (s *Stream) Stop() (sent, acked []string) {
	close(s.stop)
	s.done.Wait()
	for _, w := range s.workers {
		sent = append(sent, w.sent...)
		acked = append(acked, w.acked...)
	}
	return sent, acked
}

// deliver posts one signed event and reports whether it was acknowledged.
func deliver(base string, secret []byte, id string) bool {
	now := time.Now()
	body := fmt.Appendf(nil, `{"id":%q,"type":"charge.succeeded","created":%d,"data":{"object":{"amount":1200}}}`, id, now.Unix())
	req, err := http.NewRequest(http.MethodPost, base+"/webhooks/stripe", bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(stripesig.Header, stripesig.Sign(secret, now, body))
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	// Drained, the connection serves the worker's next delivery.
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
