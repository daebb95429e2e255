package edge

import (
	"context"
	"time"
)

// DefaultCronPeriod is the finest Cron Triggers schedule: once a minute.
const DefaultCronPeriod = time.Minute

// runCron calls tick at every boundary of period on the wall clock (a 60 s
// period ticks at each minute, as Cron Triggers fire at the top of the
// minute), until ctx ends. Ticks never overlap: boundaries that pass while
// a tick runs are skipped.
func runCron(ctx context.Context, period time.Duration, tick func(context.Context)) {
	for {
		now := time.Now()
		t := time.NewTimer(nextBoundary(now, period).Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		tick(ctx)
	}
}

// nextBoundary is the first multiple of period after now, counted from the
// Unix epoch.
func nextBoundary(now time.Time, period time.Duration) time.Time {
	n, p := now.UnixNano(), int64(period)
	return time.Unix(0, (n/p+1)*p)
}
