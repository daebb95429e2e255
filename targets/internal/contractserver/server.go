package contractserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"versus/targets"
	"versus/targets/stripesig"
)

// MaxReads bounds `GET /items/{id}?reads=N`.
const MaxReads = 100

// MaxDelay bounds the delay of `POST /jobs`.
const MaxDelay = 24 * time.Hour

// Option configures Handler.
type Option func(*server)

// WithClock sets the clock used to judge signature timestamps (tests).
func WithClock(now func() time.Time) Option {
	return func(s *server) { s.now = now }
}

// WithLog sends a line per backend failure (a 5xx answer) to w.
func WithLog(w io.Writer) Option {
	return func(s *server) { s.log = w }
}

type server struct {
	b         Backend
	secret    []byte
	discovery targets.Discovery
	body      []byte // GET /contract, encoded once: discovery is static
	now       func() time.Time
	log       io.Writer
}

// Handler serves every contract v1 route over b. secret is the webhook
// signing secret; it never appears in an answer or a log line. Routes of a
// capability b does not declare answer 501.
func Handler(b Backend, secret []byte, opts ...Option) http.Handler {
	s := &server{b: b, secret: append([]byte(nil), secret...), now: time.Now}
	for _, o := range opts {
		o(s)
	}
	s.discovery = b.Discovery()
	if s.discovery.Contract == 0 {
		s.discovery.Contract = targets.ContractVersion
	}
	s.body, _ = json.Marshal(s.discovery)
	return s
}

// route is one contract route: a method, a pattern of path segments where
// "{}" takes an id, and the capability it needs ("" for none).
type route struct {
	method  string
	pattern []string
	need    string
	serve   func(s *server, w http.ResponseWriter, r *http.Request, id string)
}

var routes = []route{
	{http.MethodGet, []string{"contract"}, "", (*server).contract},
	{http.MethodGet, []string{"health"}, "", (*server).health},
	{http.MethodGet, []string{"meters"}, targets.CapMeters, (*server).meters},
	{http.MethodPut, []string{"items", "{}"}, targets.CapItems, (*server).putItem},
	{http.MethodGet, []string{"items", "{}"}, targets.CapItems, (*server).getItem},
	{http.MethodPost, []string{"webhooks", "stripe"}, targets.CapWebhook, (*server).stripe},
	{http.MethodPost, []string{"webhooks", "events", "check"}, targets.CapWebhook, (*server).checkEvents},
	{http.MethodPost, []string{"jobs"}, targets.CapSchedule, (*server).scheduleJob},
	{http.MethodPost, []string{"jobs", "check"}, targets.CapSchedule, (*server).checkJobs},
	{http.MethodGet, []string{"jobs", "{}"}, targets.CapSchedule, (*server).getJob},
	{http.MethodPost, []string{"channels", "{}", "messages"}, targets.CapSubscribe, (*server).publish},
	{http.MethodGet, []string{"channels", "{}", "subscribe"}, targets.CapSubscribe, (*server).subscribe},
}

// match reports whether segs fit pattern, and the id segment if any.
func match(pattern, segs []string) (id string, ok bool) {
	if len(pattern) != len(segs) {
		return "", false
	}
	for i, p := range pattern {
		if p == "{}" {
			id = segs[i]
		} else if p != segs[i] {
			return "", false
		}
	}
	return id, true
}

// ServeHTTP routes on the raw (escaped) path so that an id is checked as
// the client sent it, and "." or ".." ids are not cleaned away.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	var allowed []string
	for _, rt := range routes {
		id, ok := match(rt.pattern, segs)
		if !ok {
			continue
		}
		if rt.method != r.Method && !(rt.method == http.MethodGet && r.Method == http.MethodHead) {
			allowed = append(allowed, rt.method)
			continue
		}
		if rt.need != "" && !s.discovery.Has(rt.need) {
			writeError(w, http.StatusNotImplemented, "this target does not offer capability "+strconv.Quote(rt.need))
			return
		}
		if slices.Contains(rt.pattern, "{}") && !ValidID(id) {
			writeError(w, http.StatusBadRequest, invalidID("id", id))
			return
		}
		rt.serve(s, w, r, id)
		return
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: method not allowed (use %s)", r.Method, r.URL.Path, strings.Join(allowed, " or ")))
		return
	}
	writeError(w, http.StatusNotFound, "no contract v1 route "+r.URL.Path)
}

func invalidID(field, id string) string {
	if len(id) > MaxIDLen {
		return fmt.Sprintf("%s is %d bytes; contract v1 allows at most %d", field, len(id), MaxIDLen)
	}
	return fmt.Sprintf("%s %q is not 1 to %d bytes of [A-Za-z0-9_:.-]", field, id, MaxIDLen)
}

// readBody reads at most MaxBody bytes; it answers 400 and returns false
// for anything larger or unreadable.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("body larger than %d KiB", MaxBody>>10))
		} else {
			writeError(w, http.StatusBadRequest, "reading the body failed: "+err.Error())
		}
		return nil, false
	}
	return body, true
}

// decode reads a JSON body into v; it answers 400 and returns false when
// the body is too large or not the expected JSON.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, ok := readBody(w, r)
	if !ok {
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		writeError(w, http.StatusBadRequest, "malformed JSON body: "+err.Error())
		return false
	}
	return true
}

// fail answers a Backend error: 404 for ErrNotFound, 400 for
// ErrBadRequest, 503 when the client went away, 500 otherwise.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrBadRequest):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, err.Error())
	default:
		if s.log != nil {
			fmt.Fprintf(s.log, "contract server: %s %s: %v\n", r.Method, r.URL.Path, err)
		}
		writeError(w, http.StatusInternalServerError, err.Error())
	}
}

func (s *server) contract(w http.ResponseWriter, _ *http.Request, _ string) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(s.body)
}

func (s *server) health(w http.ResponseWriter, _ *http.Request, _ string) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"ok":true}`))
}

func (s *server) meters(w http.ResponseWriter, _ *http.Request, _ string) {
	since, units := s.b.Meters()
	if units == nil {
		units = map[string]float64{}
	}
	writeJSON(w, http.StatusOK, struct {
		Since float64            `json:"since"`
		Units map[string]float64 `json:"units"`
	}{since, units})
}

func (s *server) putItem(w http.ResponseWriter, r *http.Request, id string) {
	var req struct {
		Value json.RawMessage `json:"value"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.Value == nil {
		writeError(w, http.StatusBadRequest, `body needs a "value" field`)
		return
	}
	version, err := s.b.PutItem(r.Context(), id, req.Value)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		ID      string `json:"id"`
		Version int64  `json:"version"`
	}{id, version})
}

func (s *server) getItem(w http.ResponseWriter, r *http.Request, id string) {
	reads := 1
	if q := r.URL.Query(); q.Has("reads") {
		n, err := strconv.Atoi(q.Get("reads"))
		if err != nil || n < 1 || n > MaxReads {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("reads=%q: want an integer from 1 to %d", q.Get("reads"), MaxReads))
			return
		}
		reads = n
	}
	item, err := s.b.GetItem(r.Context(), id, reads)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, item)
}

// stripe verifies the signature before anything else: an unsigned body is
// not even parsed, so a forged delivery cannot reach state.
func (s *server) stripe(w http.ResponseWriter, r *http.Request, _ string) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	header := r.Header.Get(stripesig.Header)
	if header == "" {
		writeError(w, http.StatusBadRequest, "missing "+stripesig.Header+" header")
		return
	}
	if err := stripesig.Verify(s.secret, header, body, s.now()); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var event struct {
		ID *string `json:"id"`
	}
	if err := json.Unmarshal(body, &event); err != nil {
		writeError(w, http.StatusBadRequest, "malformed event JSON: "+err.Error())
		return
	}
	if event.ID == nil {
		writeError(w, http.StatusBadRequest, `event needs an "id" field`)
		return
	}
	if !ValidID(*event.ID) {
		writeError(w, http.StatusBadRequest, invalidID("event id", *event.ID))
		return
	}
	duplicate, err := s.b.StoreEvent(r.Context(), *event.ID, body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Received  bool `json:"received"`
		Duplicate bool `json:"duplicate"`
	}{true, duplicate})
}

// decodeIDs reads `{"ids": [...]}` and checks every id.
func decodeIDs(w http.ResponseWriter, r *http.Request) ([]string, bool) {
	var req struct {
		IDs *[]string `json:"ids"`
	}
	if !decode(w, r, &req) {
		return nil, false
	}
	if req.IDs == nil {
		writeError(w, http.StatusBadRequest, `body needs an "ids" array`)
		return nil, false
	}
	if len(*req.IDs) > MaxCheckIDs {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%d ids; at most %d per request", len(*req.IDs), MaxCheckIDs))
		return nil, false
	}
	for _, id := range *req.IDs {
		if !ValidID(id) {
			writeError(w, http.StatusBadRequest, invalidID("id", id))
			return nil, false
		}
	}
	return *req.IDs, true
}

func (s *server) checkEvents(w http.ResponseWriter, r *http.Request, _ string) {
	ids, ok := decodeIDs(w, r)
	if !ok {
		return
	}
	counts, err := s.b.CountEvents(r.Context(), ids)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make(map[string]int64, len(ids))
	for _, id := range ids {
		out[id] = counts[id]
	}
	writeJSON(w, http.StatusOK, struct {
		Counts map[string]int64 `json:"counts"`
	}{out})
}

func (s *server) scheduleJob(w http.ResponseWriter, r *http.Request, _ string) {
	var req struct {
		ID      *string  `json:"id"`
		DelayMS *float64 `json:"delay_ms"`
		Via     string   `json:"via"`
	}
	if !decode(w, r, &req) {
		return
	}
	switch {
	case req.ID == nil:
		writeError(w, http.StatusBadRequest, `body needs an "id" field`)
		return
	case !ValidID(*req.ID):
		writeError(w, http.StatusBadRequest, invalidID("job id", *req.ID))
		return
	case req.DelayMS == nil:
		writeError(w, http.StatusBadRequest, `body needs a "delay_ms" field (milliseconds, 0 or more)`)
		return
	case *req.DelayMS < 0 || *req.DelayMS > float64(MaxDelay/time.Millisecond):
		writeError(w, http.StatusBadRequest, fmt.Sprintf("delay_ms %v: want 0 to %d (24 h)", *req.DelayMS, MaxDelay/time.Millisecond))
		return
	case req.Via != "" && !s.discovery.Offers(req.Via):
		writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown via %q: this target offers %s", req.Via, strings.Join(s.discovery.ScheduleVia, ", ")))
		return
	}
	delay := time.Duration(*req.DelayMS * float64(time.Millisecond))
	scheduledFor, err := s.b.ScheduleJob(r.Context(), *req.ID, delay, req.Via)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, struct {
		ID           string  `json:"id"`
		ScheduledFor float64 `json:"scheduled_for"`
	}{*req.ID, scheduledFor})
}

func (s *server) getJob(w http.ResponseWriter, r *http.Request, id string) {
	jobs, err := s.b.Jobs(r.Context(), []string{id})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(jobs) == 0 {
		writeError(w, http.StatusNotFound, "no job "+strconv.Quote(id))
		return
	}
	writeJSON(w, http.StatusOK, jobs[0])
}

func (s *server) checkJobs(w http.ResponseWriter, r *http.Request, _ string) {
	ids, ok := decodeIDs(w, r)
	if !ok {
		return
	}
	jobs, err := s.b.Jobs(r.Context(), ids)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if jobs == nil {
		jobs = []Job{}
	}
	writeJSON(w, http.StatusOK, struct {
		Jobs []Job `json:"jobs"`
	}{jobs})
}

func (s *server) publish(w http.ResponseWriter, r *http.Request, channel string) {
	var req struct {
		Payload json.RawMessage `json:"payload"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.Payload == nil {
		writeError(w, http.StatusBadRequest, `body needs a "payload" field`)
		return
	}
	ack, err := s.b.Publish(r.Context(), channel, req.Payload)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ack)
}

func (s *server) subscribe(w http.ResponseWriter, r *http.Request, channel string) {
	s.b.ServeSubscribe(w, r, channel)
}
