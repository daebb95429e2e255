package conformance

import (
	"net/http"
	"time"
)

// Defaults of Options.
const (
	DefaultTimeout   = 10 * time.Second
	DefaultJobWait   = 10 * time.Second
	DefaultClockSkew = 2 * time.Second
)

// Options tune Verify. The zero value is ready to use.
type Options struct {
	// Client sends every request. Nil: a client that ignores proxy
	// settings and follows no redirect, so that traffic goes to the
	// instance's URL and nowhere else.
	Client *http.Client
	// Timeout bounds each request and each wait for a channel frame
	// (default DefaultTimeout).
	Timeout time.Duration
	// JobWait is how long to wait for a scheduled job to fire (default
	// DefaultJobWait).
	JobWait time.Duration
	// CronWait is how long to wait for a job scheduled via "cron". Zero
	// waits JobWait and reports a job that has not fired by then as
	// skipped rather than failed, because a cron dispatcher runs on a
	// period (a minute on Cloudflare) that may be longer than the wait.
	// When set, a cron job that has not fired in time fails.
	CronWait time.Duration
	// ClockSkew is how far the target's clock may be from the harness's
	// when scheduled_for is compared with now + delay (default
	// DefaultClockSkew).
	ClockSkew time.Duration
}

func (o Options) withDefaults() Options {
	if o.Client == nil {
		o.Client = &http.Client{
			Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4},
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.JobWait <= 0 {
		o.JobWait = DefaultJobWait
	}
	if o.ClockSkew <= 0 {
		o.ClockSkew = DefaultClockSkew
	}
	return o
}

// waitFor returns how long to wait for a job scheduled via via, and
// whether a job not fired by then is a failure (else a skip).
func (o Options) waitFor(via string) (time.Duration, bool) {
	if via == "cron" {
		if o.CronWait > 0 {
			return o.CronWait, true
		}
		return o.JobWait, false
	}
	return o.JobWait, true
}
