package cloudflare

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// workerCron is the Worker's Cron Trigger (wrangler.jsonc triggers.crons).
const workerCron = "* * * * *"

// tickTimeout bounds one cron tick: the handler claims every due job.
const tickTimeout = 30 * time.Second

// cronTicker fires the Worker's scheduled handler locally, where nothing
// fires Cron Triggers: through /cdn-cgi/handler/scheduled, at every
// boundary of period on the wall clock (each minute at :00 for the
// default, as Cloudflare fires them), until ctx ends. Ticks never overlap:
// a boundary that passes while a tick runs is skipped.
type cronTicker struct {
	base   string // the Worker's base URL
	period time.Duration
	client *http.Client
	log    io.Writer
}

func (c cronTicker) run(ctx context.Context) {
	for {
		now := time.Now()
		at := nextBoundary(now, c.period)
		timer := time.NewTimer(at.Sub(now))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		if err := c.tick(ctx, at); err != nil && ctx.Err() == nil {
			fmt.Fprintf(c.log, "cron tick at %s: %v\n", at.UTC().Format(time.RFC3339Nano), err)
		}
	}
}

// tick runs the scheduled handler once, as scheduled for at.
func (c cronTicker) tick(ctx context.Context, at time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, tickTimeout)
	defer cancel()
	q := url.Values{"cron": {workerCron}, "time": {strconv.FormatInt(at.UnixMilli(), 10)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/cdn-cgi/handler/scheduled?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the scheduled handler answered %s: %s (the Worker's own log above says why)", resp.Status, body)
	}
	return nil
}

// nextBoundary is the first multiple of period after now, counted from the
// Unix epoch.
func nextBoundary(now time.Time, period time.Duration) time.Time {
	n, p := now.UnixNano(), int64(period)
	return time.Unix(0, (n/p+1)*p)
}
