package runner

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"

	"versus/scenarios"
	"versus/targets"
)

// network puts the suite's topology between the harness and its targets:
// each link is a toxiproxy proxy on 127.0.0.1 with latency toxics, in
// process. No sleeps in handlers: the delay is on the wire, per direction,
// so a request-response pays one round trip and a chatty handler pays one
// per call.
type network struct {
	topo    *scenarios.Topology
	server  *toxiproxy.ApiServer
	mu      sync.Mutex
	proxies []*toxiproxy.Proxy
	// client records, per target, the link in front of it: "injected",
	// or why there is none.
	client map[string]string
	state  map[string]string
}

func newNetwork(t *scenarios.Topology) (*network, error) {
	n := &network{topo: t, client: map[string]string{}, state: map[string]string{}}
	if t != nil && len(t.Links) > 0 {
		n.server = toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	}
	return n, nil
}

func (n *network) link(name string) (scenarios.Link, bool) {
	if n.server == nil {
		return scenarios.Link{}, false
	}
	l, ok := n.topo.Links[name]
	return l, ok && l.RTT > 0
}

// proxy starts a proxy to upstream with the link's delay and returns its
// address.
func (n *network) proxy(name, upstream string, l scenarios.Link) (string, error) {
	p := toxiproxy.NewProxy(n.server, name, "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		return "", fmt.Errorf("topology link %s: %w", name, err)
	}
	n.mu.Lock()
	n.proxies = append(n.proxies, p)
	n.mu.Unlock()
	// toxiproxy delays in whole milliseconds per direction: split the
	// round trip between upstream and downstream.
	rtt := l.RTT.Milliseconds()
	jitter := l.Jitter.Milliseconds() / 2
	up := rtt / 2
	for stream, ms := range map[string]int64{"upstream": up, "downstream": rtt - up} {
		spec := fmt.Sprintf(`{"name":"%s","type":"latency","stream":"%s","toxicity":1,"attributes":{"latency":%d,"jitter":%d}}`,
			stream, stream, ms, jitter)
		if _, err := p.Toxics.AddToxicJson(strings.NewReader(spec)); err != nil {
			return "", fmt.Errorf("topology link %s: %w", name, err)
		}
	}
	return p.Listen, nil
}

// stateLink is the Env.StateLink of a target: edge_state, when set.
func (n *network) stateLink(target string) func(string) (string, error) {
	l, ok := n.link(scenarios.LinkEdgeState)
	if !ok {
		return nil
	}
	return func(upstream string) (string, error) {
		addr, err := n.proxy(target+"-"+scenarios.LinkEdgeState, upstream, l)
		if err == nil {
			n.mu.Lock()
			n.state[target] = "injected"
			n.mu.Unlock()
		}
		return addr, err
	}
}

// clientLinkName is the link between the user and a target of this model.
func clientLinkName(model string) string {
	if model == targets.ModelEdge {
		return scenarios.LinkClientEdge
	}
	return scenarios.LinkClientRegion
}

// clientLink puts the user-to-target link in front of inst.
func (n *network) clientLink(name string, inst targets.Instance) (targets.Instance, error) {
	link := clientLinkName(inst.Discovery().Model)
	l, ok := n.link(link)
	if !ok {
		return inst, nil
	}
	if _, own := inst.(targets.Subscriber); own {
		// Its subscriptions speak their own protocol to their own address:
		// a proxy in front of its HTTP routes alone would be half a link.
		n.client[name] = "absent (the target speaks its own protocol; not injected)"
		return inst, nil
	}
	u, err := url.Parse(inst.URL())
	if err != nil || u.Scheme != "http" || !isLoopback(u.Hostname()) {
		// A remote target is already at a real distance; an https one
		// cannot be proxied as plain TCP here.
		n.client[name] = "real (not injected: the target is not on loopback http)"
		return inst, nil
	}
	addr, err := n.proxy(name+"-"+link, u.Host, l)
	if err != nil {
		return nil, err
	}
	n.client[name] = "injected"
	u.Host = addr
	return &linked{Instance: inst, url: strings.TrimSuffix(u.String(), "/")}, nil
}

// check refuses a topology a target cannot take: edge_state on a target
// whose state hop the harness cannot reach.
func (n *network) check(live []started) error {
	if _, ok := n.link(scenarios.LinkEdgeState); !ok {
		return nil
	}
	for _, s := range live {
		if s.disc.Model == targets.ModelEdge && n.state[s.cfg.Name] == "" {
			n.state[s.cfg.Name] = "absent (the target's state hop is inside its runtime; not injected)"
		}
	}
	return nil
}

// LinkReport is how a run records its topology.
type LinkReport struct {
	Profile string                `json:"profile"`
	Links   map[string]LinkValues `json:"links"`
	// Targets says, per target, which links were injected, real or absent.
	Targets map[string]map[string]string `json:"targets"`
}

// LinkValues is a link in milliseconds.
type LinkValues struct {
	RTTms    float64 `json:"rtt_ms"`
	JitterMs float64 `json:"jitter_ms,omitempty"`
}

func (n *network) describe(live []started) LinkReport {
	r := LinkReport{Links: map[string]LinkValues{}, Targets: map[string]map[string]string{}}
	if n.topo == nil {
		return r
	}
	r.Profile = n.topo.Profile
	for k, l := range n.topo.Links {
		r.Links[k] = LinkValues{RTTms: ms(l.RTT), JitterMs: ms(l.Jitter)}
	}
	for _, s := range live {
		m := map[string]string{}
		link := clientLinkName(s.disc.Model)
		if v, ok := n.client[s.cfg.Name]; ok {
			m[link] = v
		} else {
			m[link] = "absent (no delay set)"
		}
		if s.disc.Model == targets.ModelEdge {
			if v, ok := n.state[s.cfg.Name]; ok {
				m[scenarios.LinkEdgeState] = v
			} else {
				m[scenarios.LinkEdgeState] = "absent (no delay set)"
			}
		}
		r.Targets[s.cfg.Name] = m
	}
	return r
}

// Close stops every proxy.
func (n *network) Close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, p := range n.proxies {
		p.Stop()
	}
}

// linked is an instance reached through an injected link.
type linked struct {
	targets.Instance
	url string
}

func (l *linked) URL() string { return l.url }

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
