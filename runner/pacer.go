package runner

import (
	"math"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// ConstantRate is a vegeta Pacer for a fixed rate that stops after Hits
// hits. Hit n is due at exactly began + n/PerSecond, so the intended send time of
// every hit is known without trusting any clock reading of the generator:
// that is what the coordinated-omission correction is measured from.
//
// It sleeps itself, with nanosleep(2), and tells vegeta to wait 0: Go's
// timers wake 0.3 to 1 ms late under load, and that lateness would be
// charged to every corrected latency.
type ConstantRate struct {
	PerSecond float64
	Hits      uint64

	once  sync.Once
	began time.Time
}

// Pace implements vegeta.Pacer.
func (p *ConstantRate) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	p.once.Do(func() { p.began = time.Now().Add(-elapsed) })
	if hits >= p.Hits {
		return 0, true
	}
	due := p.Intended(hits)
	if wait := time.Until(due); wait > 0 {
		sleep(wait)
	}
	return 0, false
}

// Rate implements vegeta.Pacer.
func (p *ConstantRate) Rate(time.Duration) float64 { return p.PerSecond }

// Began is the instant hit 0 was due (zero before the first Pace).
func (p *ConstantRate) Began() time.Time { return p.began }

// Intended is when hit n is due.
func (p *ConstantRate) Intended(n uint64) time.Time {
	return p.began.Add(time.Duration(math.Round(float64(n) / p.PerSecond * 1e9)))
}

// sleep waits d with nanosleep, retrying after signals.
func sleep(d time.Duration) {
	ts := unix.NsecToTimespec(d.Nanoseconds())
	for {
		var rem unix.Timespec
		if err := unix.Nanosleep(&ts, &rem); err != unix.EINTR {
			return
		}
		ts = rem
	}
}
