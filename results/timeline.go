package results

import (
	"encoding/json"
	"fmt"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Timeline keeps one histogram per second of a phase, so a report can show
// p50 and p99 over time and a stall or a warm-up is visible.
//
// Per-second histograms use 2 significant digits (26 KB live each instead
// of 188 KB) and are sealed into their compressed encoding once they are
// sealAfter seconds behind the newest second, so memory stays constant in
// run length: a run of an hour holds a few live seconds plus a few hundred
// bytes per sealed second.
type Timeline struct {
	Start time.Time
	live  map[int]*hdr.Histogram
	seal  map[int][]byte
	last  int
}

const (
	timelineSigFigs = 2
	// sealAfter is how far behind the newest second a second is sealed.
	// Results arrive in completion order, so a second still receives
	// observations for as long as its slowest request takes; a late one
	// reopens the sealed second (decode, add, encode), which is rare.
	sealAfter = 5
)

// NewTimeline starts a timeline whose second 0 begins at start.
func NewTimeline(start time.Time) *Timeline {
	return &Timeline{Start: start, live: map[int]*hdr.Histogram{}, seal: map[int][]byte{}}
}

func newSecond() *hdr.Histogram { return hdr.New(lowestUS, highestUS, timelineSigFigs) }

// Record adds an observation d to the second that contains at.
func (t *Timeline) Record(at time.Time, d time.Duration) {
	sec := int(at.Sub(t.Start) / time.Second)
	if sec < 0 {
		sec = 0
	}
	h := t.second(sec)
	us := min(max(d.Microseconds(), lowestUS), highestUS)
	_ = h.RecordValue(us)
	if sec > t.last {
		t.last = sec
		t.sealOld()
	}
}

func (t *Timeline) second(sec int) *hdr.Histogram {
	if h, ok := t.live[sec]; ok {
		return h
	}
	h := newSecond()
	if b, ok := t.seal[sec]; ok {
		if d, err := hdr.Decode(b); err == nil {
			h.Merge(d)
		}
		delete(t.seal, sec)
	}
	t.live[sec] = h
	return h
}

func (t *Timeline) sealOld() {
	for sec, h := range t.live {
		if t.last-sec < sealAfter {
			continue
		}
		b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
		if err != nil {
			continue // keep it live rather than lose it
		}
		t.seal[sec] = b
		delete(t.live, sec)
	}
}

// Point is one second of a timeline.
type Point struct {
	Second int // seconds since Start
	Count  int64
	P50    time.Duration
	P99    time.Duration
	Max    time.Duration
}

// Points lists the seconds that have observations, in order.
func (t *Timeline) Points() []Point {
	var out []Point
	for sec := 0; sec <= t.last; sec++ {
		h := t.peek(sec)
		if h == nil || h.TotalCount() == 0 {
			continue
		}
		out = append(out, Point{
			Second: sec,
			Count:  h.TotalCount(),
			P50:    time.Duration(h.ValueAtQuantile(50)) * time.Microsecond,
			P99:    time.Duration(h.ValueAtQuantile(99)) * time.Microsecond,
			Max:    time.Duration(h.Max()) * time.Microsecond,
		})
	}
	return out
}

func (t *Timeline) peek(sec int) *hdr.Histogram {
	if h, ok := t.live[sec]; ok {
		return h
	}
	if b, ok := t.seal[sec]; ok {
		if d, err := hdr.Decode(b); err == nil {
			return d
		}
	}
	return nil
}

// Merge adds o's observations, aligning seconds by wall-clock start.
func (t *Timeline) Merge(o *Timeline) {
	if o == nil {
		return
	}
	shift := int(o.Start.Sub(t.Start) / time.Second)
	for sec := 0; sec <= o.last; sec++ {
		h := o.peek(sec)
		if h == nil {
			continue
		}
		to := max(sec+shift, 0)
		t.second(to).Merge(h)
		if to > t.last {
			t.last = to
		}
	}
	t.sealOld()
}

type timelineJSON struct {
	Start   time.Time `json:"start"`
	Seconds []string  `json:"seconds"` // compressed HDR per second; "" = empty
}

// MarshalJSON writes every second in compressed form.
func (t *Timeline) MarshalJSON() ([]byte, error) {
	out := timelineJSON{Start: t.Start, Seconds: make([]string, t.last+1)}
	for sec := 0; sec <= t.last; sec++ {
		if b, ok := t.seal[sec]; ok {
			out.Seconds[sec] = string(b)
			continue
		}
		if h, ok := t.live[sec]; ok {
			b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
			if err != nil {
				return nil, fmt.Errorf("encode timeline second %d: %w", sec, err)
			}
			out.Seconds[sec] = string(b)
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (t *Timeline) UnmarshalJSON(data []byte) error {
	var in timelineJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	*t = *NewTimeline(in.Start)
	for sec, s := range in.Seconds {
		if s == "" {
			continue
		}
		if _, err := hdr.Decode([]byte(s)); err != nil {
			return fmt.Errorf("timeline second %d: %w", sec, err)
		}
		t.seal[sec] = []byte(s)
		t.last = sec
	}
	return nil
}
