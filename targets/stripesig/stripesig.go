// Package stripesig signs and verifies Stripe-style webhook signatures as
// contract v1 defines them: header `Stripe-Signature: t=<unix s>,v1=<hex>`,
// where hex is HMAC-SHA256 over "<t>.<raw body>" keyed with the secret's
// bytes. The harness signs with it; the embedded backends verify with it.
package stripesig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Header is the HTTP header carrying the signature.
const Header = "Stripe-Signature"

// Tolerance is how old a timestamp may be before a delivery is refused.
const Tolerance = 300 * time.Second

// Errors returned by Verify. They never include the secret or a signature.
var (
	ErrMalformed = errors.New("malformed Stripe-Signature header")
	ErrNoMatch   = errors.New("no matching v1 signature")
	ErrStale     = errors.New("signature timestamp outside the tolerance")
)

// Sign returns the header value for body signed at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

// Verify checks header against body at time now. Any v1 entry may match;
// comparison is constant-time.
func Verify(secret []byte, header string, body []byte, now time.Time) error {
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrMalformed
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil {
				return ErrMalformed
			}
			sigs = append(sigs, sig)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrMalformed
	}
	want := mac(secret, ts, body)
	matched := false
	for _, sig := range sigs {
		// Check every entry so the time taken does not tell which matched.
		if hmac.Equal(sig, want) {
			matched = true
		}
	}
	if !matched {
		return ErrNoMatch
	}
	if now.Sub(time.Unix(sec, 0)) > Tolerance {
		return ErrStale
	}
	return nil
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}
