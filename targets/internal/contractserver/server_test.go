package contractserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"versus/targets"
	"versus/targets/stripesig"
)

var (
	testSecret = []byte("whsec_test")
	testNow    = time.Unix(1_800_000_000, 0)
)

func signed(body string, at time.Time) map[string]string {
	return map[string]string{stripesig.Header: stripesig.Sign(testSecret, at, []byte(body))}
}

// request is one call against a fresh server that already holds item
// "a" (version 1), event "evt_seen" and job "job_a".
type request struct {
	name    string
	method  string
	path    string
	body    string
	header  map[string]string
	status  int
	want    string // substring of the answer body
	changes bool   // whether the backend saw a write
}

func TestHandlerAnswersEveryRouteAsContractV1Says(t *testing.T) {
	event := `{"id":"evt_1","type":"charge.succeeded","created":1800000000,"data":{}}`
	seen := `{"id":"evt_seen","type":"x","created":1,"data":{}}`
	cases := []request{
		{name: "contract returns discovery", method: "GET", path: "/contract", status: 200, want: `"contract":1,"name":"mem"`},
		{name: "health answers without state", method: "GET", path: "/health", status: 200, want: `"ok":true`},
		{name: "meters returns units", method: "GET", path: "/meters", status: 200, want: `"units":{"worker_requests":3}`},
		{name: "unknown path is 404", method: "GET", path: "/nope", status: 404, want: "no contract v1 route"},
		{name: "wrong method is 405", method: "DELETE", path: "/items/a", status: 405, want: "method not allowed"},

		{name: "put stores a new version", method: "PUT", path: "/items/b", body: `{"value":{"x":1}}`, status: 200, want: `{"id":"b","version":1}`, changes: true},
		{name: "put over an item bumps its version", method: "PUT", path: "/items/a", body: `{"value":null}`, status: 200, want: `"version":2`, changes: true},
		{name: "put without value is 400", method: "PUT", path: "/items/b", body: `{}`, status: 400, want: `needs a \"value\"`},
		{name: "put with malformed JSON is 400", method: "PUT", path: "/items/b", body: `{"value":`, status: 400, want: "malformed JSON"},
		{name: "put with an id of a bad character is 400", method: "PUT", path: "/items/a%2Fb", body: `{"value":1}`, status: 400, want: "is not 1 to 128 bytes"},
		{name: "put with a 129-byte id is 400", method: "PUT", path: "/items/" + strings.Repeat("x", 129), body: `{"value":1}`, status: 400, want: "129 bytes"},
		{name: "put accepts a 128-byte id", method: "PUT", path: "/items/" + strings.Repeat("x", 128), body: `{"value":1}`, status: 200, changes: true},
		{name: "put accepts a dot id without path cleaning", method: "PUT", path: "/items/..", body: `{"value":1}`, status: 200, want: `"id":".."`, changes: true},
		{name: "put over 64 KiB is 400", method: "PUT", path: "/items/b", body: `{"value":"` + strings.Repeat("x", MaxBody) + `"}`, status: 400, want: "larger than 64 KiB"},
		{name: "get returns the item", method: "GET", path: "/items/a", status: 200, want: `{"id":"a","value":"v","version":1}`},
		{name: "get of an unknown item is 404", method: "GET", path: "/items/zz", status: 404},
		{name: "get honours reads", method: "GET", path: "/items/a?reads=100", status: 200, want: `"id":"a"`},
		{name: "get with reads 0 is 400", method: "GET", path: "/items/a?reads=0", status: 400, want: "reads="},
		{name: "get with reads 101 is 400", method: "GET", path: "/items/a?reads=101", status: 400, want: "from 1 to 100"},
		{name: "get with reads not a number is 400", method: "GET", path: "/items/a?reads=many", status: 400},

		{name: "stripe stores a signed event", method: "POST", path: "/webhooks/stripe", body: event, header: signed(event, testNow), status: 200, want: `{"received":true,"duplicate":false}`, changes: true},
		{name: "stripe reports a replay as duplicate", method: "POST", path: "/webhooks/stripe", body: seen, header: signed(seen, testNow), status: 200, want: `"duplicate":true`, changes: true},
		{name: "stripe without a header is 400", method: "POST", path: "/webhooks/stripe", body: event, status: 400, want: "missing Stripe-Signature"},
		{name: "stripe with a malformed header is 400", method: "POST", path: "/webhooks/stripe", body: event, header: map[string]string{stripesig.Header: "garbage"}, status: 400, want: "malformed"},
		{name: "stripe with a wrong signature is 400", method: "POST", path: "/webhooks/stripe", body: event, header: map[string]string{stripesig.Header: "t=1800000000,v1=00ff"}, status: 400, want: "no matching"},
		{name: "stripe with a signature of another body is 400", method: "POST", path: "/webhooks/stripe", body: event, header: signed(seen, testNow), status: 400, want: "no matching"},
		{name: "stripe with a stale timestamp is 400", method: "POST", path: "/webhooks/stripe", body: event, header: signed(event, testNow.Add(-301*time.Second)), status: 400, want: "tolerance"},
		{name: "stripe with signed malformed JSON is 400", method: "POST", path: "/webhooks/stripe", body: `{"id":`, header: signed(`{"id":`, testNow), status: 400, want: "malformed event JSON"},
		{name: "stripe with a signed event without id is 400", method: "POST", path: "/webhooks/stripe", body: `{"type":"x"}`, header: signed(`{"type":"x"}`, testNow), status: 400, want: `needs an \"id\"`},
		{name: "stripe with a signed bad id is 400", method: "POST", path: "/webhooks/stripe", body: `{"id":"evt 1"}`, header: signed(`{"id":"evt 1"}`, testNow), status: 400, want: "event id"},
		{name: "stripe never echoes the secret", method: "POST", path: "/webhooks/stripe", body: event, header: map[string]string{stripesig.Header: "t=1,v1=zz"}, status: 400},
		{name: "events check counts rows per id", method: "POST", path: "/webhooks/events/check", body: `{"ids":["evt_seen","evt_new"]}`, status: 200, want: `{"counts":{"evt_new":0,"evt_seen":1}}`},
		{name: "events check with 1001 ids is 400", method: "POST", path: "/webhooks/events/check", body: idsBody(1001), status: 400, want: "at most 1000"},
		{name: "events check accepts 1000 ids", method: "POST", path: "/webhooks/events/check", body: idsBody(1000), status: 200},
		{name: "events check without ids is 400", method: "POST", path: "/webhooks/events/check", body: `{}`, status: 400, want: `needs an \"ids\"`},
		{name: "events check with a bad id is 400", method: "POST", path: "/webhooks/events/check", body: `{"ids":["ok","no way"]}`, status: 400},

		{name: "jobs schedules with 202", method: "POST", path: "/jobs", body: `{"id":"job_1","delay_ms":250}`, status: 202, want: `{"id":"job_1","scheduled_for":1000250}`, changes: true},
		{name: "jobs takes an offered via", method: "POST", path: "/jobs", body: `{"id":"job_1","delay_ms":0,"via":"cron"}`, status: 202, changes: true},
		{name: "jobs accepts a delay of exactly 24 h", method: "POST", path: "/jobs", body: `{"id":"job_1","delay_ms":86400000}`, status: 202, changes: true},
		{name: "jobs with an unknown via names the offered ones", method: "POST", path: "/jobs", body: `{"id":"job_1","delay_ms":1,"via":"queue"}`, status: 400, want: "offers timer, cron"},
		{name: "jobs with a negative delay is 400", method: "POST", path: "/jobs", body: `{"id":"job_1","delay_ms":-1}`, status: 400, want: "delay_ms"},
		{name: "jobs with a delay over 24 h is 400", method: "POST", path: "/jobs", body: `{"id":"job_1","delay_ms":86400001}`, status: 400, want: "24 h"},
		{name: "jobs without a delay is 400", method: "POST", path: "/jobs", body: `{"id":"job_1"}`, status: 400, want: "delay_ms"},
		{name: "jobs without an id is 400", method: "POST", path: "/jobs", body: `{"delay_ms":1}`, status: 400, want: `needs an \"id\"`},
		{name: "jobs maps a backend refusal to 400", method: "POST", path: "/jobs", body: `{"id":"job_a","delay_ms":1}`, status: 400, want: "already scheduled", changes: true},
		{name: "job get returns the job", method: "GET", path: "/jobs/job_a", status: 200, want: `{"id":"job_a","scheduled_for":1000000,"fired_at":null,"runs":0}`},
		{name: "job get of an unknown job is 404", method: "GET", path: "/jobs/job_zz", status: 404},
		{name: "jobs check lists the known jobs", method: "POST", path: "/jobs/check", body: `{"ids":["job_a","job_zz"]}`, status: 200, want: `{"jobs":[{"id":"job_a"`},
		{name: "jobs check of unknown jobs is an empty list", method: "POST", path: "/jobs/check", body: `{"ids":["job_zz"]}`, status: 200, want: `{"jobs":[]}`},

		{name: "publish commits and acks", method: "POST", path: "/channels/room.1/messages", body: `{"payload":{"n":1}}`, status: 200, want: `{"seq":1,"committed_at":1000000}`, changes: true},
		{name: "publish without payload is 400", method: "POST", path: "/channels/room/messages", body: `{"x":1}`, status: 400, want: `needs a \"payload\"`},
		{name: "publish to a bad channel name is 400", method: "POST", path: "/channels/a%20b/messages", body: `{"payload":1}`, status: 400},
		{name: "subscribe without an upgrade is refused", method: "GET", path: "/channels/room/subscribe", status: 426},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newMemBackend()
			defer b.hub.Close()
			b.items["a"] = Item{ID: "a", Value: json.RawMessage(`"v"`), Version: 1}
			b.events["evt_seen"] = 1
			b.jobs["job_a"] = Job{ID: "job_a", ScheduledFor: 1_000_000}
			h := Handler(b, testSecret, WithClock(func() time.Time { return testNow }))

			req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if rec.Code != c.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, c.status, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), c.want) {
				t.Errorf("body %s, want it to contain %s", rec.Body, c.want)
			}
			if strings.Contains(rec.Body.String(), string(testSecret)) {
				t.Errorf("body %s reveals the secret", rec.Body)
			}
			if got := b.writes() > 0; got != c.changes {
				t.Errorf("backend saw a write: %v, want %v", got, c.changes)
			}
			if rec.Code >= 300 && rec.Code != 426 && rec.Header().Get("Content-Type") != "application/json" {
				t.Errorf("error content type %q, want application/json", rec.Header().Get("Content-Type"))
			}
		})
	}
}

func idsBody(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "evt_" + strings.Repeat("x", i%5)
	}
	b, _ := json.Marshal(map[string][]string{"ids": ids})
	return string(b)
}

func TestHandlerAnswers501ForUndeclaredCapabilities(t *testing.T) {
	b := newMemBackend()
	defer b.hub.Close()
	b.discovery.Capabilities = []string{targets.CapHTTP, targets.CapItems}
	h := Handler(b, testSecret)
	for _, path := range []string{"/webhooks/stripe", "/jobs", "/channels/c/messages"} {
		t.Run("POST "+path+" is not implemented", func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", path, strings.NewReader(`{}`)))
			if rec.Code != http.StatusNotImplemented {
				t.Fatalf("status %d, want 501", rec.Code)
			}
			if b.writes() != 0 {
				t.Fatal("backend saw a write")
			}
		})
	}
}

func TestValidIDAcceptsOnlyTheContractAlphabet(t *testing.T) {
	cases := []struct {
		id   string
		want bool
	}{
		{"evt_1", true}, {"a:b.c-d_e", true}, {strings.Repeat("Z", 128), true},
		{"", false}, {strings.Repeat("Z", 129), false}, {"a/b", false}, {"a b", false},
		{"é", false}, {"a%20", false}, {"a\x00", false},
	}
	for _, c := range cases {
		if got := ValidID(c.id); got != c.want {
			t.Errorf("ValidID(%q) = %v, want %v", c.id, got, c.want)
		}
	}
}

// FuzzHandler checks that no path or body makes the server fail with a
// 5xx or change state on an error answer.
func FuzzHandler(f *testing.F) {
	f.Add("PUT", "/items/a", `{"value":1}`)
	f.Add("POST", "/jobs", `{"id":"j","delay_ms":1e300}`)
	f.Add("POST", "/webhooks/events/check", `{"ids":[1]}`)
	f.Add("GET", "/items/a?reads=1e2", ``)
	f.Add("POST", "/channels/%2e%2e/messages", `{"payload":}`)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		b := newMemBackend()
		defer b.hub.Close()
		req, err := http.NewRequest(method, "http://x"+path, strings.NewReader(body))
		if err != nil || strings.Contains(path, "subscribe") {
			return
		}
		rec := httptest.NewRecorder()
		Handler(b, testSecret).ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: status %d: %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && b.writes() > 0 {
			t.Fatalf("%s %s %q: error %d after a write", method, path, body, rec.Code)
		}
	})
}
