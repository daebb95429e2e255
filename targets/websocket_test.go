package targets_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"versus/targets"
)

// collector gathers deliveries for a test.
type collector chan targets.Message

func (c collector) deliver(m targets.Message) { c <- m }

func (c collector) next(t *testing.T) targets.Message {
	t.Helper()
	select {
	case m := <-c:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5 s")
		return targets.Message{}
	}
}

func subscribe(t *testing.T, sub targets.Subscriber, channel string) (targets.Subscription, collector) {
	t.Helper()
	got := make(collector, 100)
	s, err := sub.Subscribe(context.Background(), channel, got.deliver)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, got
}

func TestSubscriberForDeliversContractMessagesInOrder(t *testing.T) {
	cs := newChannelServer()
	srv := cs.start(t)
	sub := targets.SubscriberFor(urlInstance(srv.URL))
	_, got := subscribe(t, sub, "room:1")
	before := time.Now()
	for i := 0; i < 20; i++ {
		cs.publish("room:1", json.RawMessage(`{"n":1}`))
	}
	for want := int64(1); want <= 20; want++ {
		m := got.next(t)
		if m.Seq != want || m.Channel != "room:1" || string(m.Payload) != `{"n":1}` || m.CommittedAt == 0 {
			t.Fatalf("got %+v, want seq %d on room:1", m, want)
		}
		if m.Received.Before(before) || m.Received.After(time.Now()) {
			t.Fatalf("Received %v is not the time of the read", m.Received)
		}
	}
}

func TestSubscriberForDialsFromTheGivenLocalAddress(t *testing.T) {
	cs := newChannelServer()
	srv := cs.start(t)
	sub := targets.SubscriberFor(urlInstance(srv.URL), targets.FromLocalAddr("127.0.0.7"))
	subscribe(t, sub, "room")
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if len(cs.remotes) != 1 || !strings.HasPrefix(cs.remotes[0], "127.0.0.7:") {
		t.Fatalf("server saw subscribers from %v, want 127.0.0.7", cs.remotes)
	}
}

func TestSubscriberForPrefersTheInstancesOwnSubscriber(t *testing.T) {
	own := ownSubscriberInstance{urlInstance("http://127.0.0.1:1")}
	if _, ok := targets.SubscriberFor(own).(ownSubscriberInstance); !ok {
		t.Fatal("SubscriberFor ignored the instance's own Subscriber")
	}
}

type ownSubscriberInstance struct{ urlInstance }

func (ownSubscriberInstance) Subscribe(context.Context, string, func(targets.Message)) (targets.Subscription, error) {
	return nil, nil
}

func TestSubscriptionEnds(t *testing.T) {
	t.Run("by Close, with no error and no later delivery", func(t *testing.T) {
		cs := newChannelServer()
		srv := cs.start(t)
		s, got := subscribe(t, targets.SubscriberFor(urlInstance(srv.URL)), "room")
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		<-s.Done()
		if s.Err() != nil {
			t.Fatalf("Err() = %v after Close, want nil", s.Err())
		}
		cs.publish("room", json.RawMessage(`1`))
		if len(got) != 0 {
			t.Fatal("delivered after Close")
		}
	})
	t.Run("when the server goes away, saying so", func(t *testing.T) {
		cs := newChannelServer()
		srv := cs.start(t)
		s, _ := subscribe(t, targets.SubscriberFor(urlInstance(srv.URL)), "room")
		cs.hub.Close()
		select {
		case <-s.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("subscription still live after the server closed it")
		}
		if websocket.CloseStatus(s.Err()) != websocket.StatusGoingAway {
			t.Fatalf("Err() = %v, want the server's going-away close", s.Err())
		}
	})
	t.Run("on a frame that is not a contract message", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			c.Write(r.Context(), websocket.MessageText, []byte("hello"))
			c.Read(r.Context())
		}))
		defer srv.Close()
		s, _ := subscribe(t, targets.SubscriberFor(urlInstance(srv.URL)), "room")
		<-s.Done()
		if s.Err() == nil || !strings.Contains(s.Err().Error(), "not a contract v1 message") {
			t.Fatalf("Err() = %v", s.Err())
		}
	})
}

func TestSubscribeToAnUnreachableTargetSaysWhere(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	_, err := targets.SubscriberFor(urlInstance("http://"+addr)).Subscribe(context.Background(), "room", func(targets.Message) {})
	if err == nil || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), `"room"`) {
		t.Fatalf("err = %v, want one naming the channel and %s", err, addr)
	}
}

// TestIdleSubscriptionMemory measures what an idle subscription costs the
// harness, with the server in a child process so only the client side is
// counted.
func TestIdleSubscriptionMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("opens a thousand connections")
	}
	if os.Getenv("VERSUS_TEST_CHANNEL_SERVER") != "" {
		t.Skip("running as the child server")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestChannelServerProcess$")
	cmd.Env = append(os.Environ(), "VERSUS_TEST_CHANNEL_SERVER=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	buf := make([]byte, 64)
	n, err := out.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSpace(string(buf[:n]))

	const subscribers = 1000
	sub := targets.SubscriberFor(urlInstance(base))
	before := inUse()
	subs := make([]targets.Subscription, 0, subscribers)
	for i := 0; i < subscribers; i++ {
		s, err := sub.Subscribe(context.Background(), "room", func(targets.Message) {})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	perSubscriber := (inUse() - before) / subscribers
	t.Logf("idle subscription: %d bytes (heap + stacks) each over %d", perSubscriber, subscribers)
	for _, s := range subs {
		s.Close()
	}
	if perSubscriber > 30<<10 {
		t.Errorf("an idle subscription costs %d bytes, want under 30 KiB", perSubscriber)
	}
}

func inUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}

// TestChannelServerProcess is the child of TestIdleSubscriptionMemory: it
// prints its URL and serves until killed.
func TestChannelServerProcess(t *testing.T) {
	if os.Getenv("VERSUS_TEST_CHANNEL_SERVER") == "" {
		t.Skip("only runs as TestIdleSubscriptionMemory's child")
	}
	cs := newChannelServer()
	srv := httptest.NewServer(cs.mux)
	os.Stdout.WriteString(srv.URL + "\n")
	select {}
}
