package targets

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// MaxFrame is the largest channel frame the contract subscriber reads: a
// 64 KiB payload plus the envelope around it.
const MaxFrame = 64<<10 + 4<<10

// SubscribeOption configures the contract v1 WebSocket subscriber.
type SubscribeOption func(*wsSubscriber)

// FromLocalAddr makes the subscriber dial from local IP address ip (for
// example "127.0.0.2"), so a pool of subscribers can spread its
// connections over several source addresses and their port ranges.
// Targets with their own Subscriber ignore it.
func FromLocalAddr(ip string) SubscribeOption {
	return func(s *wsSubscriber) { s.localIP = net.ParseIP(ip) }
}

// SubscriberFor returns inst's own Subscriber when it has one, else the
// contract v1 WebSocket subscriber (GET {URL}/channels/{name}/subscribe).
//
// The ctx given to Subscribe bounds the dial only; a subscription lives
// until Close or until the server ends it.
func SubscriberFor(inst Instance, opts ...SubscribeOption) Subscriber {
	if own, ok := inst.(Subscriber); ok {
		return own
	}
	s := &wsSubscriber{base: inst.URL()}
	for _, o := range opts {
		o(s)
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if s.localIP != nil {
		dialer.LocalAddr = &net.TCPAddr{IP: s.localIP}
	}
	// A transport of its own: no proxy (the targets are reached directly)
	// and the chosen source address. Upgraded connections leave the
	// transport's pool, so it holds nothing per subscription.
	s.client = &http.Client{Transport: &http.Transport{
		DialContext:         dialer.DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
	}}
	return s
}

type wsSubscriber struct {
	base    string
	localIP net.IP
	client  *http.Client
}

// channelURL turns the contract base URL into the WebSocket URL of channel.
func channelURL(base, channel string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("target URL %q: %w", base, err)
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("target URL %q: want http or https", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/channels/" + url.PathEscape(channel) + "/subscribe"
	u.RawPath = ""
	return u.String(), nil
}

func (s *wsSubscriber) Subscribe(ctx context.Context, channel string, deliver func(Message)) (Subscription, error) {
	u, err := channelURL(s.base, channel)
	if err != nil {
		return nil, err
	}
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: s.client})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("subscribe to channel %q at %s: server answered %s: %w", channel, s.base, resp.Status, err)
		}
		return nil, fmt.Errorf("subscribe to channel %q at %s: %w", channel, s.base, err)
	}
	c.SetReadLimit(MaxFrame)
	sub := &wsSubscription{conn: c, channel: channel, done: make(chan struct{})}
	go sub.read(deliver)
	return sub, nil
}

// wsSubscription is one live WebSocket. Its only goroutine reads frames and
// calls deliver; a frame is allocated per message and nothing else is kept,
// so an idle subscription costs the goroutine and the connection's buffers.
type wsSubscription struct {
	conn    *websocket.Conn
	channel string
	done    chan struct{}

	mu      sync.Mutex
	closing bool
	err     error
}

func (s *wsSubscription) read(deliver func(Message)) {
	defer close(s.done)
	for {
		_, data, err := s.conn.Read(context.Background())
		received := time.Now()
		if err != nil {
			s.end(fmt.Errorf("subscription to channel %q ended: %w", s.channel, err))
			return
		}
		var m Message
		if err := json.Unmarshal(data, &m); err != nil {
			s.end(fmt.Errorf("subscription to channel %q: frame is not a contract v1 message: %w", s.channel, err))
			s.conn.Close(websocket.StatusUnsupportedData, "frame is not a contract v1 message")
			return
		}
		m.Received = received
		deliver(m)
	}
}

// end records why the subscription ended, unless Close asked for it.
func (s *wsSubscription) end(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closing && s.err == nil {
		s.err = err
	}
}

func (s *wsSubscription) Done() <-chan struct{} { return s.done }

func (s *wsSubscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the subscription with a normal close and returns once no
// further deliver call can happen.
func (s *wsSubscription) Close() error {
	s.mu.Lock()
	already := s.closing
	s.closing = true
	s.mu.Unlock()
	if !already {
		// Close always closes the connection; an error only says the
		// server did not complete the close handshake, which a
		// subscriber that is leaving has no use for.
		s.conn.Close(websocket.StatusNormalClosure, "")
	}
	<-s.done
	return nil
}
