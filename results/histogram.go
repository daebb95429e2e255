package results

import (
	"encoding/json"
	"fmt"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram range: 1 µs to 1 h at 3 significant digits, as the design fixes,
// so that every histogram of every run merges exactly with every other.
const (
	lowestUS  = 1
	highestUS = int64(time.Hour / time.Microsecond)
	sigFigs   = 3
)

// Histogram is a latency distribution in microseconds. It is not safe for
// concurrent use; Cell serializes access.
type Histogram struct {
	h *hdr.Histogram
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	return &Histogram{h: hdr.New(lowestUS, highestUS, sigFigs)}
}

// Record adds one observation. Durations below 1 µs count as 1 µs and those
// above the range are clamped to it, so no observation is ever dropped.
func (h *Histogram) Record(d time.Duration) {
	us := d.Microseconds()
	if us < lowestUS {
		us = lowestUS
	}
	if us > highestUS {
		us = highestUS
	}
	// The value is in range by construction, so RecordValue cannot fail.
	_ = h.h.RecordValue(us)
}

// Merge adds every observation of o.
func (h *Histogram) Merge(o *Histogram) {
	if o != nil {
		h.h.Merge(o.h)
	}
}

// Count is the number of observations.
func (h *Histogram) Count() int64 { return h.h.TotalCount() }

// Quantile returns the value at quantile q in [0, 1].
func (h *Histogram) Quantile(q float64) time.Duration {
	return time.Duration(h.h.ValueAtQuantile(q*100)) * time.Microsecond
}

// Max is the largest observation (at histogram precision).
func (h *Histogram) Max() time.Duration {
	return time.Duration(h.h.Max()) * time.Microsecond
}

// Mean is the arithmetic mean.
func (h *Histogram) Mean() time.Duration {
	return time.Duration(h.h.Mean() * float64(time.Microsecond))
}

// Clone returns an independent copy.
func (h *Histogram) Clone() *Histogram {
	c := NewHistogram()
	c.Merge(h)
	return c
}

// Bar is one bucket of the distribution: Count observations equal (at
// histogram precision) to Value.
type Bar struct {
	Value time.Duration
	Count int64
}

// Bars lists the non-empty buckets in ascending order of value.
func (h *Histogram) Bars() []Bar {
	var out []Bar
	for _, b := range h.h.Distribution() {
		if b.Count > 0 {
			out = append(out, Bar{Value: time.Duration(b.To) * time.Microsecond, Count: b.Count})
		}
	}
	return out
}

// MarshalJSON encodes the histogram in HDR's compressed base64 form.
func (h *Histogram) MarshalJSON() ([]byte, error) {
	b, err := h.h.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		return nil, fmt.Errorf("encode histogram: %w", err)
	}
	return json.Marshal(string(b))
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (h *Histogram) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("histogram: want a base64 string: %w", err)
	}
	d, err := hdr.Decode([]byte(s))
	if err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	// Re-home into the standard range so merges stay exact whatever the
	// encoder's settings were.
	h.h = hdr.New(lowestUS, highestUS, sigFigs)
	h.h.Merge(d)
	return nil
}
