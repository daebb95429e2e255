package scenarios

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// Link names of a topology.
const (
	// LinkClientEdge is the user to edge compute (edge-model targets).
	LinkClientEdge = "client_edge"
	// LinkClientRegion is the user to a central region, where an
	// integrated backend runs (integrated-model and other targets).
	LinkClientRegion = "client_region"
	// LinkEdgeState is edge compute to its database (inside edge targets).
	LinkEdgeState = "edge_state"
)

// Link is one network link: a round-trip time and optional jitter.
type Link struct {
	RTT    time.Duration `json:"rtt"`
	Jitter time.Duration `json:"jitter,omitempty"`
}

// Topology puts the user, the compute and the data at distances.
type Topology struct {
	Profile string          `json:"profile"`
	Links   map[string]Link `json:"links"`
}

// MaxLinkDelay bounds a link's RTT and jitter: beyond it a run measures the
// suite author's typo, not a network.
const MaxLinkDelay = 10 * time.Second

// Profiles are the built-in topologies. Why these values:
//   - local: no added delay; every hop is loopback.
//   - same-region: the user, the edge location and the central region are
//     in one metro (10 ms to either), and the edge's database is in the
//     same region as the edge (2 ms).
//   - edge-near-user: the user is 10 ms from the nearest edge location, but
//     80 ms from the central region (about a transatlantic round trip),
//     and the edge's database lives in that central region, so edge
//     compute pays 80 ms per state round trip.
var Profiles = map[string]map[string]Link{
	"local": {},
	"same-region": {
		LinkClientEdge:   {RTT: 10 * time.Millisecond},
		LinkClientRegion: {RTT: 10 * time.Millisecond},
		LinkEdgeState:    {RTT: 2 * time.Millisecond},
	},
	"edge-near-user": {
		LinkClientEdge:   {RTT: 10 * time.Millisecond},
		LinkClientRegion: {RTT: 80 * time.Millisecond},
		LinkEdgeState:    {RTT: 80 * time.Millisecond},
	},
}

// ProfileNames lists the built-in topologies.
func ProfileNames() []string {
	var out []string
	for k := range Profiles {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TopologyByName returns a built-in topology.
func TopologyByName(name string) (*Topology, error) {
	links, ok := Profiles[name]
	if !ok {
		return nil, fmt.Errorf("unknown topology %q (built in: %s)", name, strings.Join(ProfileNames(), ", "))
	}
	t := &Topology{Profile: name, Links: map[string]Link{}}
	for k, v := range links {
		t.Links[k] = v
	}
	return t, nil
}

type rawLink struct {
	RTT    time.Duration `yaml:"rtt"`
	Jitter time.Duration `yaml:"jitter"`
}

// decodeTopology reads `topology: NAME` or `topology: {profile: NAME,
// client_edge: 10ms, edge_state: {rtt: 80ms, jitter: 5ms}}`: a profile
// with links added or overridden.
func decodeTopology(loc locator, n ast.Node) (*Topology, error) {
	if n.Type() == ast.StringType {
		t, err := TopologyByName(n.(*ast.StringNode).Value)
		if err != nil {
			return nil, loc.at("$.topology", "topology", err.Error())
		}
		return t, nil
	}
	var m map[string]ast.Node
	if err := yaml.NodeToValue(n, &m); err != nil {
		return nil, loc.fromYAML(err, "topology")
	}
	t := &Topology{Profile: "custom", Links: map[string]Link{}}
	if p, ok := m["profile"]; ok {
		var name string
		if err := yaml.NodeToValue(p, &name); err != nil {
			return nil, loc.fromYAML(err, "topology.profile")
		}
		base, err := TopologyByName(name)
		if err != nil {
			return nil, loc.at("$.topology.profile", "topology.profile", err.Error())
		}
		t = base
		delete(m, "profile")
	}
	for name, ln := range m {
		path, field := "$.topology."+name, "topology."+name
		if name != LinkClientEdge && name != LinkClientRegion && name != LinkEdgeState {
			return nil, loc.at(path, field, fmt.Sprintf("unknown link (links: %s, %s, %s)", LinkClientEdge, LinkClientRegion, LinkEdgeState))
		}
		var l rawLink
		if ln.Type() == ast.MappingType {
			if err := yaml.NodeToValue(ln, &l, yaml.Strict()); err != nil {
				return nil, loc.fromYAML(err, field)
			}
		} else if err := yaml.NodeToValue(ln, &l.RTT); err != nil {
			return nil, loc.fromYAML(err, field)
		}
		for what, d := range map[string]time.Duration{"rtt": l.RTT, "jitter": l.Jitter} {
			if d < 0 || d > MaxLinkDelay {
				return nil, loc.at(path, field+"."+what, fmt.Sprintf("%v: must be between 0 and %v", d, MaxLinkDelay))
			}
		}
		if l.Jitter > l.RTT {
			return nil, loc.at(path, field+".jitter", fmt.Sprintf("%v is larger than the rtt %v", l.Jitter, l.RTT))
		}
		t.Links[name] = Link{RTT: l.RTT, Jitter: l.Jitter}
		if t.Profile != "custom" {
			t.Profile += "+custom"
		}
	}
	return t, nil
}
