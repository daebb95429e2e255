package contractserver

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"versus/targets"
)

func hubServer(t *testing.T, opts ...HubOption) (*memBackend, *httptest.Server) {
	t.Helper()
	b := newMemBackend()
	b.hub = NewHub(opts...)
	srv := httptest.NewServer(Handler(b, testSecret))
	t.Cleanup(func() {
		b.hub.Close()
		srv.Close()
	})
	return b, srv
}

func dial(t *testing.T, srv *httptest.Server, channel string, opts *websocket.DialOptions) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/channels/"+channel+"/subscribe", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func readMessage(t *testing.T, c *websocket.Conn) targets.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var m targets.Message
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("frame %s: %v", data, err)
	}
	return m
}

func TestHubDeliversEveryMessageCommittedAfterTheUpgradeInOrder(t *testing.T) {
	b, srv := hubServer(t)
	subs := []*websocket.Conn{dial(t, srv, "room", nil), dial(t, srv, "room", nil)}
	other := dial(t, srv, "other", nil)
	ctx := context.Background()
	for i := 1; i <= 50; i++ {
		if _, err := b.Publish(ctx, "room", json.RawMessage(`{"i":`+string(rune('0'+i%10))+`}`)); err != nil {
			t.Fatal(err)
		}
	}
	b.Publish(ctx, "other", json.RawMessage(`"x"`))
	for n, c := range subs {
		for want := int64(1); want <= 50; want++ {
			m := readMessage(t, c)
			if m.Seq != want || m.Channel != "room" || m.CommittedAt != 1_000_000 {
				t.Fatalf("subscriber %d: got %+v, want seq %d on room", n, m, want)
			}
		}
	}
	if m := readMessage(t, other); m.Channel != "other" || string(m.Payload) != `"x"` {
		t.Fatalf("other channel got %+v", m)
	}
	if got := b.hub.Subscribers("room"); got != 2 {
		t.Fatalf("Subscribers(room) = %d, want 2", got)
	}
}

func TestHubDropsAndCountsASubscriberThatFallsBehind(t *testing.T) {
	b, srv := hubServer(t, QueueLimit(4))
	slow := dial(t, srv, "room", nil) // never reads
	// Large frames fill the socket buffers of the silent subscriber, so its
	// writer blocks and its queue overflows.
	big := json.RawMessage(`"` + strings.Repeat("x", 60<<10) + `"`)
	deadline := time.Now().Add(10 * time.Second)
	for b.hub.Dropped() == 0 && time.Now().Before(deadline) {
		b.Publish(context.Background(), "room", big)
	}
	if b.hub.Dropped() != 1 {
		t.Fatalf("Dropped() = %d after %d messages, want 1", b.hub.Dropped(), b.seqs["room"])
	}
	slow.SetReadLimit(-1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		if _, _, err := slow.Read(ctx); err != nil {
			if ctx.Err() != nil {
				t.Fatal("the dropped subscriber's connection is still open")
			}
			break
		}
	}
	for b.hub.Subscribers("room") != 0 && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	next := dial(t, srv, "room", nil)
	b.Publish(context.Background(), "room", json.RawMessage(`"after"`))
	if m := readMessage(t, next); string(m.Payload) != `"after"` {
		t.Fatalf("a new subscriber got %s", m.Payload)
	}
}

func TestHubPingsItsSubscribers(t *testing.T) {
	_, srv := hubServer(t, PingInterval(20*time.Millisecond))
	var pings atomic.Int32
	c := dial(t, srv, "room", &websocket.DialOptions{OnPingReceived: func(context.Context, []byte) bool {
		pings.Add(1)
		return true
	}})
	ctx := c.CloseRead(context.Background())
	time.Sleep(150 * time.Millisecond)
	if pings.Load() < 2 {
		t.Fatalf("%d pings in 150 ms at a 20 ms interval", pings.Load())
	}
	if ctx.Err() != nil {
		t.Fatal("connection closed while pinging")
	}
}

func TestHubCloseDisconnectsSubscribersAsGoingAway(t *testing.T) {
	b, srv := hubServer(t)
	c := dial(t, srv, "room", nil)
	for b.hub.Subscribers("room") == 0 {
		time.Sleep(time.Millisecond)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := c.Read(context.Background())
		done <- err
	}()
	b.hub.Close()
	if err := <-done; websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("read ended with %v, want close status 1001", err)
	}
	if b.hub.Subscribers("room") != 0 {
		t.Fatal("subscriber still registered after Close")
	}
}
