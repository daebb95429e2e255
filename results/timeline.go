package results

import (
	"encoding/json"
	"fmt"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Timeline keeps one histogram per step (a second by default) of a phase,
// so a report can show p50 and p99 over time and a stall or a warm-up is
// visible. A phase of a second or two is cut into finer steps, or it
// would be a single point.
//
// Per-step histograms use 2 significant digits (26 KB live each instead
// of 188 KB) and are sealed into their compressed encoding once they are
// sealAfter steps behind the newest, so memory stays constant in run
// length: a run of an hour holds a few live steps plus a few hundred bytes
// per sealed step.
type Timeline struct {
	Start time.Time
	Step  time.Duration
	live  map[int]*hdr.Histogram
	seal  map[int][]byte
	last  int
}

const (
	timelineSigFigs = 2
	// sealAfter is how many steps behind the newest a step is sealed.
	// Results arrive in completion order, so a step still receives
	// observations for as long as its slowest request takes; a late one
	// reopens the sealed step (decode, add, encode), which is rare.
	sealAfter = 5
	// DefaultStep is a timeline's resolution unless a scenario asks for
	// a finer one.
	DefaultStep = time.Second
)

// NewTimeline starts a timeline whose step 0 begins at start; a step of
// 0 means DefaultStep.
func NewTimeline(start time.Time, step time.Duration) *Timeline {
	if step <= 0 {
		step = DefaultStep
	}
	return &Timeline{Start: start, Step: step, live: map[int]*hdr.Histogram{}, seal: map[int][]byte{}}
}

func newSecond() *hdr.Histogram { return hdr.New(lowestUS, highestUS, timelineSigFigs) }

// Record adds an observation d to the step that contains at.
func (t *Timeline) Record(at time.Time, d time.Duration) {
	sec := int(at.Sub(t.Start) / t.Step)
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

// Point is one step of a timeline.
type Point struct {
	At    time.Duration // the step's start, since the timeline's Start
	Count int64
	P50   time.Duration
	P99   time.Duration
	Max   time.Duration
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
			At:    time.Duration(sec) * t.Step,
			Count: h.TotalCount(),
			P50:   time.Duration(h.ValueAtQuantile(50)) * time.Microsecond,
			P99:   time.Duration(h.ValueAtQuantile(99)) * time.Microsecond,
			Max:   time.Duration(h.Max()) * time.Microsecond,
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

// Merge adds o's observations, aligning steps by wall-clock start; a step
// of o lands in the step of t that contains its start.
func (t *Timeline) Merge(o *Timeline) {
	if o == nil {
		return
	}
	for sec := 0; sec <= o.last; sec++ {
		h := o.peek(sec)
		if h == nil {
			continue
		}
		at := o.Start.Add(time.Duration(sec) * o.Step)
		to := max(int(at.Sub(t.Start)/t.Step), 0)
		t.second(to).Merge(h)
		if to > t.last {
			t.last = to
		}
	}
	t.sealOld()
}

type timelineJSON struct {
	Start time.Time `json:"start"`
	// StepMS is the resolution; absent (0) in files of one-second steps.
	StepMS  float64  `json:"step_ms,omitempty"`
	Seconds []string `json:"seconds"` // compressed HDR per step; "" = empty
}

// MarshalJSON writes every second in compressed form.
func (t *Timeline) MarshalJSON() ([]byte, error) {
	out := timelineJSON{Start: t.Start, Seconds: make([]string, t.last+1)}
	if t.Step != DefaultStep {
		out.StepMS = float64(t.Step) / float64(time.Millisecond)
	}
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
	if in.StepMS < 0 {
		return fmt.Errorf("timeline: step_ms %v is negative", in.StepMS)
	}
	*t = *NewTimeline(in.Start, time.Duration(in.StepMS*float64(time.Millisecond)))
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
