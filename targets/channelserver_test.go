package targets_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"versus/targets"
	"versus/targets/internal/contractserver"
)

// channelServer serves the two channel routes of contract v1 over a Hub,
// remembering where subscribers connected from.
type channelServer struct {
	hub *contractserver.Hub
	mux *http.ServeMux

	mu      sync.Mutex
	seqs    map[string]int64
	remotes []string
}

func newChannelServer() *channelServer {
	s := &channelServer{hub: contractserver.NewHub(), mux: http.NewServeMux(), seqs: map[string]int64{}}
	s.mux.HandleFunc("GET /channels/{name}/subscribe", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.remotes = append(s.remotes, r.RemoteAddr)
		s.mu.Unlock()
		s.hub.ServeSubscribe(w, r, r.PathValue("name"))
	})
	s.mux.HandleFunc("POST /channels/{name}/messages", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Payload json.RawMessage `json:"payload"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || r.PathValue("name") == "refused" {
			http.Error(w, `{"error":"bad body"}`, http.StatusBadRequest)
			return
		}
		ack := s.publish(r.PathValue("name"), req.Payload)
		json.NewEncoder(w).Encode(ack)
	})
	return s
}

func (s *channelServer) publish(channel string, payload json.RawMessage) targets.Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seqs[channel]++
	m := targets.Message{Channel: channel, Seq: s.seqs[channel], Payload: payload, CommittedAt: float64(time.Now().UnixMilli())}
	s.hub.Publish(m)
	return targets.Ack{Seq: m.Seq, CommittedAt: m.CommittedAt}
}

// start serves s on a loopback port for the test's lifetime.
func (s *channelServer) start(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(s.mux)
	t.Cleanup(func() {
		s.hub.Close()
		srv.Close()
	})
	return srv
}

// urlInstance is an Instance with only a URL: the harness must fall back
// to contract v1 for subscribing and publishing.
type urlInstance string

func (u urlInstance) Discovery() targets.Discovery { return targets.Discovery{Contract: 1} }
func (u urlInstance) URL() string                  { return string(u) }
func (u urlInstance) Close() error                 { return nil }
