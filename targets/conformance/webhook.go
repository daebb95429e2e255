package conformance

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"versus/targets"
	"versus/targets/stripesig"
)

// maxCheckIDs is how many ids one check request may name.
const maxCheckIDs = 1000

// stale is how old the timestamp of a stale delivery is: past the 300 s
// tolerance by a margin no plausible clock skew covers.
const stale = stripesig.Tolerance + 60*time.Second

// webhook checks POST /webhooks/stripe and /webhooks/events/check: valid
// deliveries are stored once, everything else is refused and stores
// nothing.
func (v *verifier) webhook(ctx context.Context, r *Report) {
	s := v.section(ctx, r, targets.CapWebhook)
	const deliver, check = "POST /webhooks/stripe", "POST /webhooks/events/check"
	if !s.declared {
		v.undeclared(ctx, s,
			probe{route: deliver, method: http.MethodPost, path: "/webhooks/stripe", body: []byte(`{}`)},
			probe{route: check, method: http.MethodPost, path: "/webhooks/events/check", body: []byte(`{"ids":[]}`)},
		)
		return
	}
	valid := v.id("evt-valid")
	validBody := event(valid)
	delivered := false

	s.check(deliver, `accepts a valid delivery: 200 {"received":true,"duplicate":false}`, func() error {
		if err := v.needSecret(); err != nil {
			return err
		}
		err := v.wantDelivered(ctx, v.signed(validBody), validBody, false)
		delivered = err == nil
		return err
	})
	s.check(deliver, `answers a second delivery of the same id with "duplicate":true`, func() error {
		if !delivered {
			return after("the valid delivery")
		}
		return v.wantDelivered(ctx, v.signed(validBody), validBody, true)
	})
	s.check(check, "counts exactly 1 row for the id delivered twice", func() error {
		if !delivered {
			return after("the valid delivery")
		}
		return v.wantStored(ctx, valid, 1)
	})

	// Each refused delivery carries an id of its own, so "stores
	// nothing" is judged for that delivery alone.
	forger := make([]byte, 32)
	rand.Read(forger)
	refusals := []struct {
		name   string
		secret bool // needs the real secret to be meaningful
		header func(body []byte) string
		body   func(id string) []byte
		status []int // nil: 400 or 401
	}{
		{name: "refuses a forged signature with 400/401 and stores nothing",
			header: func(body []byte) string { return stripesig.Sign(forger, time.Now(), body) }},
		{name: "refuses a timestamp older than 300 s with 400/401 and stores nothing", secret: true,
			header: func(body []byte) string { return stripesig.Sign(v.secret, time.Now().Add(-stale), body) }},
		{name: "refuses a delivery without Stripe-Signature with 400/401 and stores nothing",
			header: func([]byte) string { return "" }},
		{name: `refuses a malformed header ("garbage") with 400/401 and stores nothing`,
			header: func([]byte) string { return "garbage" }},
		{name: `refuses a header without v1= with 400/401 and stores nothing`,
			header: func([]byte) string { return "t=" + strconv.FormatInt(time.Now().Unix(), 10) }},
		{name: `refuses a non-numeric t= (signed as sent) with 400/401 and stores nothing`, secret: true,
			header: func(body []byte) string { return "t=soon,v1=" + v.mac("soon", body) }},
		{name: "refuses malformed JSON with a valid signature with 400 and stores nothing", secret: true,
			header: func(body []byte) string { return v.signed(body) },
			body:   func(id string) []byte { return []byte(`{"id":"` + id + `","type":"versus.verify","data":`) },
			status: []int{http.StatusBadRequest}},
	}
	for i, c := range refusals {
		s.check(deliver, c.name, func() error {
			if c.secret {
				if err := v.needSecret(); err != nil {
					return err
				}
			}
			id := v.id("evt-refused-" + strconv.Itoa(i))
			body := event(id)
			if c.body != nil {
				body = c.body(id)
			}
			var header http.Header
			if h := c.header(body); h != "" {
				header = http.Header{stripesig.Header: {h}}
			}
			a, err := v.send(ctx, http.MethodPost, "/webhooks/stripe", body, header)
			if err != nil {
				return err
			}
			status := c.status
			if status == nil {
				status = []int{http.StatusBadRequest, http.StatusUnauthorized}
			}
			refused := a.want(status...)
			if stored := v.wantStored(ctx, id, 0); stored != nil {
				if refused != nil {
					return fmt.Errorf("%v, and %v", refused, stored)
				}
				return fmt.Errorf("refused with %d but %v", a.status, stored)
			}
			return refused
		})
	}

	s.check(deliver, "accepts a header with several v1= entries when one matches", func() error {
		if err := v.needSecret(); err != nil {
			return err
		}
		id := v.id("evt-multi")
		body := event(id)
		ts, sig, _ := strings.Cut(v.signed(body), ",")
		_, forged, _ := strings.Cut(stripesig.Sign(forger, time.Now(), body), ",")
		if err := v.wantDelivered(ctx, ts+","+forged+","+sig, body, false); err != nil {
			return err
		}
		return v.wantStored(ctx, id, 1)
	})
	s.check(check, "refuses more than 1000 ids with 400", func() error {
		ids := make([]string, maxCheckIDs+1)
		for i := range ids {
			ids[i] = v.id("evt-many-" + strconv.Itoa(i))
		}
		a, err := v.sendJSON(ctx, http.MethodPost, "/webhooks/events/check", map[string][]string{"ids": ids})
		if err != nil {
			return err
		}
		return a.wantError(http.StatusBadRequest)
	})
}

// event is the body of a Stripe-style event with id.
func event(id string) []byte {
	body, _ := json.Marshal(map[string]any{ // a map of plain values always encodes
		"id":      id,
		"type":    "versus.verify",
		"created": time.Now().Unix(),
		"data":    map[string]any{"object": map[string]any{"verify": true}},
	})
	return body
}

// signed is the Stripe-Signature header of body signed now with the secret.
func (v *verifier) signed(body []byte) string {
	return stripesig.Sign(v.secret, time.Now(), body)
}

// mac is the lowercase hex HMAC-SHA256 of "<ts>.<body>" keyed with the
// secret, for headers stripesig.Sign cannot write (a t= that is not a
// number).
func (v *verifier) mac(ts string, body []byte) string {
	m := hmac.New(sha256.New, v.secret)
	m.Write([]byte(ts + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func (v *verifier) needSecret() error {
	if len(v.secret) == 0 {
		return skipf("no webhook secret given: pass the secret the target verifies with (VERSUS_WEBHOOK_SECRET)")
	}
	return nil
}

// wantDelivered posts a delivery and checks the target took it.
func (v *verifier) wantDelivered(ctx context.Context, header string, body []byte, duplicate bool) error {
	a, err := v.send(ctx, http.MethodPost, "/webhooks/stripe", body, http.Header{stripesig.Header: {header}})
	if err != nil {
		return err
	}
	if err := a.want(http.StatusOK); err != nil {
		return err
	}
	var got struct {
		Received  *bool `json:"received"`
		Duplicate *bool `json:"duplicate"`
	}
	if err := a.decode(&got); err != nil {
		return err
	}
	if got.Received == nil || !*got.Received || got.Duplicate == nil || *got.Duplicate != duplicate {
		return fmt.Errorf(`answered %s, want {"received":true,"duplicate":%v}`, snippet(a.body), duplicate)
	}
	return nil
}

// wantStored reads back how many rows the target holds for event id.
func (v *verifier) wantStored(ctx context.Context, id string, want int64) error {
	a, err := v.sendJSON(ctx, http.MethodPost, "/webhooks/events/check", map[string][]string{"ids": {id}})
	if err != nil {
		return fmt.Errorf("reading back event %s: %w", id, err)
	}
	if err := a.want(http.StatusOK); err != nil {
		return fmt.Errorf("reading back event %s: %w", id, err)
	}
	var got struct {
		Counts map[string]int64 `json:"counts"`
	}
	if err := a.decode(&got); err != nil {
		return fmt.Errorf("reading back event %s: %w", id, err)
	}
	n, ok := got.Counts[id]
	if !ok {
		return fmt.Errorf("reading back event %s: the answer %s has no count for it", id, snippet(a.body))
	}
	if n != want {
		return fmt.Errorf("the row count of event %s is %d, want %d", id, n, want)
	}
	return nil
}
