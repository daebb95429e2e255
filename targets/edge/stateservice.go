package edge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"versus/targets"
)

// maxStateBody bounds a request to the state service: a batch carries at
// most a contract body (64 KiB) plus its SQL.
const maxStateBody = 1 << 20

// stateService is the state side of the edge model, behind its own
// listener: D1 (SQL statements, one round trip per call), the relay and
// alarm Durable Object namespaces, and the queue. Whatever a Worker keeps
// lives here; the Worker reaches it only over the network.
//
// Routes (JSON over HTTP/1.1):
//
//	POST /d1/batch                      [{"sql","params"}...] -> [{"results","meta"}...]
//	POST /do/relay/{channel}/publish    payload -> {"seq","committed_at"}
//	GET  /do/relay/{channel}/subscribe  WebSocket upgrade
//	PUT  /do/alarm/{id}                 {"at": ms} -> 204
//	POST /queue/messages                {"body", "delay_seconds"} -> 204
type stateService struct {
	d1     *database
	store  *database // the relay actors' storage
	relays *relays
	alarms *alarms
	queue  *queue
	meters *meters
	log    *log.Logger
	server *http.Server
}

// openStateService opens the databases in dir; consume is the Worker's
// queue consumer.
func openStateService(dir string, m *meters, logger *log.Logger, qcfg queueConfig, consume func(context.Context, []json.RawMessage) error) (*stateService, error) {
	d1, err := openDatabase(filepath.Join(dir, "d1.sqlite"), d1Schema)
	if err != nil {
		return nil, fmt.Errorf("D1 database: %w", err)
	}
	store, err := openDatabase(filepath.Join(dir, "relays.sqlite"), relaySchema)
	if err != nil {
		d1.close()
		return nil, fmt.Errorf("relay storage: %w", err)
	}
	s := &stateService{d1: d1, store: store, meters: m, log: logger}
	s.relays = newRelays(store, m)
	s.alarms = newAlarms(func(id string) *jobRun { return newJobRun(s, claimByIDs([]string{id})) }, m, logger)
	s.queue = newQueue(qcfg, consume, m, logger)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /d1/batch", s.serveBatch)
	mux.HandleFunc("POST /do/relay/{channel}/publish", s.servePublish)
	mux.HandleFunc("GET /do/relay/{channel}/subscribe", func(w http.ResponseWriter, r *http.Request) {
		s.relays.serveSubscribe(w, r, r.PathValue("channel"))
	})
	mux.HandleFunc("PUT /do/alarm/{id}", s.serveSetAlarm)
	mux.HandleFunc("POST /queue/messages", s.serveSend)
	s.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: logger}
	return s, nil
}

func (s *stateService) serve(ln net.Listener) {
	if err := s.server.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		s.log.Printf("state service stopped: %v", err)
	}
}

// batch runs D1 statements and meters their rows (jobState).
func (s *stateService) batch(_ context.Context, stmts []statement) ([]result, error) {
	res, err := s.d1.batch(stmts)
	for _, r := range res {
		s.meters.d1(r.Meta)
	}
	return res, err
}

// publish is a call to the channel's relay actor (jobState).
func (s *stateService) publish(_ context.Context, channel string, payload json.RawMessage) (targets.Ack, error) {
	return s.relays.publish(channel, payload)
}

// rearm gives every pending job back to its mechanism after a start: on
// the platform, alarms and queued messages are durable; here the jobs
// table is their durable record.
func (s *stateService) rearm() error {
	res, err := s.d1.batch([]statement{{SQL: `SELECT id, via, scheduled_for FROM jobs WHERE fired_at IS NULL`}})
	if err != nil {
		return fmt.Errorf("read the pending jobs: %w", err)
	}
	for _, j := range res[0].Rows {
		at := fromEpochMS(j.float("scheduled_for"))
		switch j.str("via") {
		case viaAlarm:
			err = s.alarms.set(j.str("id"), at)
		case viaQueue:
			err = s.queue.enqueue(jobMessage(j.str("id")), time.Duration(delaySeconds(time.Until(at)))*time.Second)
		}
		if err != nil {
			return fmt.Errorf("re-arm job %s: %w", j.str("id"), err)
		}
	}
	return nil
}

func (s *stateService) serveBatch(w http.ResponseWriter, r *http.Request) {
	var stmts []statement
	if !readJSON(w, r, &stmts) {
		return
	}
	if len(stmts) == 0 {
		writeStateError(w, http.StatusBadRequest, errors.New("empty batch: send at least one statement"))
		return
	}
	for _, st := range stmts {
		for i, p := range st.Params {
			st.Params[i] = normalize(p)
		}
	}
	res, err := s.batch(r.Context(), stmts)
	if err != nil {
		writeStateError(w, http.StatusInternalServerError, err)
		return
	}
	writeStateJSON(w, res)
}

func (s *stateService) servePublish(w http.ResponseWriter, r *http.Request) {
	var payload json.RawMessage
	if !readJSON(w, r, &payload) {
		return
	}
	ack, err := s.relays.publish(r.PathValue("channel"), payload)
	if err != nil {
		writeStateError(w, statusOf(err), err)
		return
	}
	writeStateJSON(w, ack)
}

// alarmRequest is the Worker's call to a job's alarm object.
type alarmRequest struct {
	At float64 `json:"at"` // epoch ms
}

func (s *stateService) serveSetAlarm(w http.ResponseWriter, r *http.Request) {
	s.meters.doRequests.Add(1)
	var req alarmRequest
	if !readJSON(w, r, &req) {
		return
	}
	if err := s.alarms.set(r.PathValue("id"), fromEpochMS(req.At)); err != nil {
		writeStateError(w, statusOf(err), err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// sendRequest is `queue.send(body, {delaySeconds})` on the wire.
type sendRequest struct {
	Body         json.RawMessage `json:"body"`
	DelaySeconds int             `json:"delay_seconds"`
}

func (s *stateService) serveSend(w http.ResponseWriter, r *http.Request) {
	var req sendRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.Body == nil || req.DelaySeconds < 0 || time.Duration(req.DelaySeconds)*time.Second > queueMaxDelay {
		writeStateError(w, http.StatusBadRequest, fmt.Errorf("send needs a body and delay_seconds from 0 to %d", int(queueMaxDelay/time.Second)))
		return
	}
	if err := s.queue.send(req.Body, req.DelaySeconds); err != nil {
		writeStateError(w, statusOf(err), err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// close stops the queue, the alarms and the relays (their sockets
// included), then the listener and the databases.
func (s *stateService) close() error {
	s.queue.close()
	s.alarms.close()
	s.relays.close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if s.server.Shutdown(ctx) != nil {
		s.server.Close()
	}
	return errors.Join(s.store.close(), s.d1.close())
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxStateBody))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		writeStateError(w, http.StatusBadRequest, fmt.Errorf("malformed JSON body: %w", err))
		return false
	}
	return true
}

func statusOf(err error) int {
	if errors.Is(err, errShuttingDown) {
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func writeStateJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func writeStateError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(struct {
		Error string `json:"error"`
	}{err.Error()})
}
