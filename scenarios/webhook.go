package scenarios

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"versus/results"
	"versus/targets"
	"versus/targets/stripesig"
)

// WebhookScenario sends Stripe-style signed deliveries with a seeded mix of
// forgeries, stale timestamps, replays and malformed bodies, then reads back
// every acknowledged id to prove nothing acknowledged was lost (kind
// webhook).
type WebhookScenario struct {
	Base             `yaml:",inline"`
	Rate             float64       `yaml:"rate"`
	Duration         time.Duration `yaml:"duration"`
	Warmup           time.Duration `yaml:"warmup"`
	Timeout          time.Duration `yaml:"timeout"`
	InvalidSignature float64       `yaml:"invalid_signature"`
	StaleTimestamp   float64       `yaml:"stale_timestamp"`
	Replay           float64       `yaml:"replay"`
	MalformedJSON    float64       `yaml:"malformed_json"`
	BodySize         int           `yaml:"body_size"`
	Seed             uint64        `yaml:"seed"`
	MaxInFlight      int           `yaml:"max_in_flight"`
}

// Counters of the webhook scenario. The failure counters count warm-up
// deliveries too: a lost acknowledged event is never hidden by a phase.
const (
	cSent             = "sent"
	cAccepted         = "accepted"
	cRejectedExpected = "rejected_expected"
	cAcceptedInvalid  = "accepted_invalid"
	cRejectedValid    = "rejected_valid"
	cDuplicatesStored = "duplicates_stored"
	cLost             = "lost"
)

// delivery kinds of the mix.
const (
	dValid     = "valid"
	dForged    = "forged"
	dStale     = "stale"
	dReplay    = "replay"
	dMalformed = "malformed"
)

func init() {
	register(Kind{
		Name:    "webhook",
		Summary: "Stripe-signed deliveries with forgeries, stale and replayed ones; read-back of every acknowledged id; metric latency",
		Fields: map[string]string{
			"rate":              "deliveries per second (required)",
			"duration":          "measured phase (default 5s)",
			"warmup":            "unmeasured phase (default 1s)",
			"timeout":           "per delivery (default 10s)",
			"invalid_signature": "fraction signed with a wrong secret (0..1)",
			"stale_timestamp":   "fraction signed over 300 s ago (0..1)",
			"replay":            "fraction re-sending an acknowledged id (0..1)",
			"malformed_json":    "fraction with a validly signed broken body (0..1)",
			"body_size":         "approximate event size in bytes (default 600, 200..60000)",
			"seed":              "seed of the mix (default 1): same seed, same sequence",
			"max_in_flight":     "concurrent deliveries at most (default 1024)",
		},
		New: func() Scenario {
			return &WebhookScenario{Duration: 5 * time.Second, Warmup: time.Second, Timeout: 10 * time.Second, BodySize: 600, Seed: 1}
		},
	})
}

// Validate checks the fields.
func (s *WebhookScenario) Validate() []FieldError {
	errs := validateLoad(s.Rate, s.Duration, s.Warmup, s.Timeout)
	sum := 0.0
	for _, f := range []struct {
		name string
		v    float64
	}{{"invalid_signature", s.InvalidSignature}, {"stale_timestamp", s.StaleTimestamp}, {"replay", s.Replay}, {"malformed_json", s.MalformedJSON}} {
		if f.v < 0 || f.v > 1 {
			errs = append(errs, fieldErr(f.name, "%v: a fraction must be within [0, 1]", f.v))
		}
		sum += f.v
	}
	if sum > 1 {
		errs = append(errs, fieldErr("replay", "the fractions sum to %v: at most 1", sum))
	}
	if s.BodySize < 200 || s.BodySize > 60000 {
		errs = append(errs, fieldErr("body_size", "%d: must be 200 to 60000 bytes (the contract caps bodies at 64 KiB)", s.BodySize))
	}
	return errs
}

// Needs lists the capabilities.
func (s *WebhookScenario) Needs() []string { return []string{targets.CapWebhook} }

// Preflight has nothing beyond capabilities to check.
func (s *WebhookScenario) Preflight(targets.Discovery) (string, error) { return "", nil }

func (s *WebhookScenario) shorten() { quickPhase(&s.Duration, &s.Warmup) }

// delivery is one request's meaning, carried to the judge.
type delivery struct {
	kind string
	id   string
}

// webhookRun is the state of one trial.
type webhookRun struct {
	s      *WebhookScenario
	cell   *results.Cell
	secret []byte
	prefix string
	pad    string

	mu      sync.Mutex
	acked   []string        // ids acknowledged as new (200, duplicate false)
	ackSet  map[string]bool // same, for replays to pick from
	refused []string        // invalid ids the target refused
}

// Run sends the deliveries and reads back.
func (s *WebhookScenario) Run(ctx context.Context, env *Env) error {
	if len(env.Secret) == 0 {
		return fmt.Errorf("no webhook secret for target %s", env.TargetName)
	}
	var nonce [4]byte
	_, _ = rand.Read(nonce[:])
	w := &webhookRun{s: s, cell: env.Cell(nil), secret: env.Secret, ackSet: map[string]bool{},
		prefix: fmt.Sprintf("evt_%s_%d_", hex.EncodeToString(nonce[:]), env.Trial)}
	w.cell.SetTimelineStep(timelineStep(s.Warmup + s.Duration))
	zero(w.cell, cSent, cAccepted, cRejectedExpected, cAcceptedInvalid, cRejectedValid, cDuplicatesStored, cLost)
	w.pad = strings.Repeat("x", max(0, s.BodySize-len(w.event("evt_x", time.Now(), ""))))
	var meters meterWindow
	load := Load{Rate: s.Rate, Duration: s.Duration, Warmup: s.Warmup, Timeout: s.Timeout, MaxInFlight: s.MaxInFlight,
		OnMeasured: func() { meters.open(env, w.cell) }}
	url := env.Target.URL() + "/webhooks/stripe"
	err := env.Driver.HTTP(ctx, w.cell, load, func(n uint64) Request { return w.request(url, n) }, w.judge)
	// The read-back is the harness's, not the workload's: the window
	// closes before it.
	meters.close()
	if ctx.Err() != nil {
		return err
	}
	if rerr := w.readBack(ctx, env); rerr != nil {
		return rerr
	}
	return err
}

// kindOf draws delivery n's kind from the seeded mix.
func (w *webhookRun) kindOf(n uint64) string {
	u := mrand.New(mrand.NewPCG(w.s.Seed, n)).Float64()
	for _, k := range []struct {
		kind string
		f    float64
	}{{dForged, w.s.InvalidSignature}, {dStale, w.s.StaleTimestamp}, {dReplay, w.s.Replay}, {dMalformed, w.s.MalformedJSON}} {
		if u < k.f {
			return k.kind
		}
		u -= k.f
	}
	return dValid
}

func (w *webhookRun) event(id string, t time.Time, pad string) []byte {
	return fmt.Appendf(nil, `{"id":%q,"object":"event","api_version":"2024-06-20","type":"payment_intent.succeeded","created":%d,"livemode":false,"pending_webhooks":1,"data":{"object":{"id":"pi_%s","object":"payment_intent","amount":2000,"currency":"usd","status":"succeeded","metadata":{"pad":%q}}}}`,
		id, t.Unix(), strings.TrimPrefix(id, "evt_"), pad)
}

func (w *webhookRun) request(url string, n uint64) Request {
	kind := w.kindOf(n)
	id := fmt.Sprintf("%s%d", w.prefix, n)
	now := time.Now()
	if kind == dReplay {
		w.mu.Lock()
		if len(w.acked) == 0 {
			kind = dValid // nothing acknowledged yet to replay
		} else {
			id = w.acked[int(n)%len(w.acked)]
		}
		w.mu.Unlock()
	}
	body := w.event(id, now, w.pad)
	signedAt, key := now, w.secret
	switch kind {
	case dForged:
		key = append([]byte("forged-"), w.secret...)
	case dStale:
		signedAt = now.Add(-stripesig.Tolerance - time.Duration(60+n%240)*time.Second)
	case dMalformed:
		body = body[:len(body)/2]
	}
	return Request{Method: http.MethodPost, URL: url, Body: body, Meta: delivery{kind: kind, id: id},
		Header: http.Header{"Content-Type": {"application/json"}, stripesig.Header: {stripesig.Sign(key, signedAt, body)}}}
}

func (w *webhookRun) judge(r Response) Verdict {
	d, _ := r.Meta.(delivery)
	measured := !r.Hit.Warmup
	count := func(name string, always bool) {
		if measured || always {
			w.cell.Add(name, 1)
		}
	}
	if r.Err != "" {
		return Verdict{Class: transportClass(r.Err)}
	}
	valid := d.kind == dValid || d.kind == dReplay
	switch {
	case r.Code >= 200 && r.Code < 300 && valid:
		var ack struct {
			Received  bool `json:"received"`
			Duplicate bool `json:"duplicate"`
		}
		if json.Unmarshal(r.Body, &ack) != nil || !ack.Received {
			return Verdict{Class: "bad_ack"}
		}
		count(cAccepted, false)
		if d.kind == dValid && !ack.Duplicate {
			w.mu.Lock()
			if !w.ackSet[d.id] {
				w.ackSet[d.id] = true
				w.acked = append(w.acked, d.id)
			}
			w.mu.Unlock()
		}
		// Replays are answered without a write: timing them would blur
		// the latency of the write path this scenario measures.
		return Verdict{OK: true, Untimed: d.kind == dReplay}
	case r.Code >= 200 && r.Code < 300:
		count(cAcceptedInvalid, true)
		return Verdict{Class: "accepted_invalid"}
	case (r.Code == 400 || r.Code == 401) && !valid:
		count(cRejectedExpected, false)
		w.mu.Lock()
		w.refused = append(w.refused, d.id)
		w.mu.Unlock()
		return Verdict{OK: true, Untimed: true}
	case r.Code == 400 || r.Code == 401:
		count(cRejectedValid, true)
		return Verdict{Class: "rejected_valid"}
	default:
		return Verdict{Class: statusClass(r.Code)}
	}
}

// readBack asks the target how many rows it holds of every acknowledged id
// (lost if 0, duplicated if more than 1) and of every refused forgery (a
// refusal that stored anyway is accepted_invalid).
func (w *webhookRun) readBack(ctx context.Context, env *Env) error {
	w.mu.Lock()
	acked, refused := w.acked, w.refused
	w.mu.Unlock()
	var lost, dup, stored int64
	err := checkEvents(ctx, env, acked, func(id string, n int64) {
		if n == 0 {
			lost++
		}
		if n > 1 {
			dup += n - 1
		}
	})
	if err != nil {
		return err
	}
	if err := checkEvents(ctx, env, refused, func(_ string, n int64) {
		if n > 0 {
			stored++
		}
	}); err != nil {
		return err
	}
	w.cell.Add(cLost, lost)
	w.cell.Add(cDuplicatesStored, dup)
	w.cell.Add(cAcceptedInvalid, stored)
	w.cell.Add("read_back", int64(len(acked)))
	return nil
}

// checkEvents reads counts back in batches of 1000, the contract's limit.
func checkEvents(ctx context.Context, env *Env, ids []string, each func(string, int64)) error {
	for len(ids) > 0 {
		batch := ids[:min(1000, len(ids))]
		ids = ids[len(batch):]
		body, _ := json.Marshal(map[string][]string{"ids": batch})
		var out struct {
			Counts map[string]int64 `json:"counts"`
		}
		if err := postJSON(ctx, env, "/webhooks/events/check", body, &out); err != nil {
			return fmt.Errorf("read-back: %w", err)
		}
		for _, id := range batch {
			n, ok := out.Counts[id]
			if !ok {
				return fmt.Errorf("read-back: the target's answer has no count for %s", id)
			}
			each(id, n)
		}
	}
	return nil
}

// postJSON is an untimed call of the scenario's own (read-backs, checks).
func postJSON(ctx context.Context, env *Env, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.Target.URL()+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := env.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: status %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	return nil
}
