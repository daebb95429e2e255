package cloudflare

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNextBoundary(t *testing.T) {
	base := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		now    time.Time
		period time.Duration
		want   time.Time
	}{
		{"a minute period ticks at the top of the next minute", base.Add(20 * time.Second), time.Minute, base.Add(time.Minute)},
		{"exactly on a boundary waits for the next one", base, time.Minute, base.Add(time.Minute)},
		{"a second period ticks at the next whole second", base.Add(1500 * time.Millisecond), time.Second, base.Add(2 * time.Second)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := nextBoundary(c.now, c.period); !got.Equal(c.want) {
				t.Errorf("nextBoundary(%v, %v) = %v, want %v", c.now, c.period, got, c.want)
			}
		})
	}
}

func TestCronTicker(t *testing.T) {
	t.Run("a tick calls the scheduled handler with the cron and its time", func(t *testing.T) {
		var got *http.Request
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = r
			io.WriteString(w, "ok")
		}))
		defer srv.Close()
		at := time.UnixMilli(1_800_000_000_000)
		c := cronTicker{base: srv.URL, period: time.Second, client: srv.Client(), log: io.Discard}
		if err := c.tick(context.Background(), at); err != nil {
			t.Fatal(err)
		}
		if got.URL.Path != "/cdn-cgi/handler/scheduled" || got.URL.Query().Get("cron") != "* * * * *" || got.URL.Query().Get("time") != "1800000000000" {
			t.Errorf("tick sent %s", got.URL)
		}
	})

	t.Run("a failed handler is an error that says so", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, "exception")
		}))
		defer srv.Close()
		c := cronTicker{base: srv.URL, period: time.Second, client: srv.Client(), log: io.Discard}
		if err := c.tick(context.Background(), time.Now()); err == nil || !strings.Contains(err.Error(), "500") {
			t.Fatalf("error %v, want the handler's 500", err)
		}
	})

	t.Run("run ticks on period boundaries until its context ends", func(t *testing.T) {
		var mu sync.Mutex
		var times []time.Time
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			times = append(times, time.Now())
			mu.Unlock()
		}))
		defer srv.Close()
		period := 50 * time.Millisecond
		ctx, cancel := context.WithTimeout(context.Background(), 280*time.Millisecond)
		defer cancel()
		cronTicker{base: srv.URL, period: period, client: srv.Client(), log: io.Discard}.run(ctx)
		mu.Lock()
		defer mu.Unlock()
		if len(times) < 3 || len(times) > 6 {
			t.Fatalf("%d ticks in 280ms at a 50ms period", len(times))
		}
		for _, at := range times {
			if off := at.UnixNano() % int64(period); off > int64(40*time.Millisecond) {
				t.Errorf("tick %v ms past a boundary", time.Duration(off).Milliseconds())
			}
		}
	})
}
