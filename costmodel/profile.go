package costmodel

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed profiles/*.yaml
var profileFiles embed.FS

// Profile is a month of traffic: operations, subscriptions, stored data
// and team size. It is platform-neutral; each platform's mapping turns it
// into billable units.
type Profile struct {
	Name        string
	Description string
	File        string
	// Operations are monthly counts written in the profile.
	Operations map[string]*big.Rat
	// Subscriptions, when set, derive message_published,
	// message_delivered and ws_connect.
	Subscriptions *Subscriptions
	// Resources are monthly levels (GB-month) and counts (uploads, seats).
	Resources map[string]*big.Rat
	// Units are extra monthly units per platform, for what no operation
	// covers (KV reads, queue operations).
	Units map[string][]UnitQty
	// SeatsAssumed is set when the profile gives no seats: a team of one
	// is assumed, since a per-member price times zero would hide a fee.
	SeatsAssumed bool

	lines map[string]int
}

// Subscriptions describe real-time traffic.
type Subscriptions struct {
	// Subscribers are connected clients.
	Subscribers *big.Rat
	// PerChannel is how many subscribers share a channel (one query on
	// Convex, one Durable Object on Workers): one published message
	// reaches that many.
	PerChannel *big.Rat
	// MessagesPerSubscriber is what each subscriber receives in a month.
	MessagesPerSubscriber *big.Rat
	// ConnectsPerSubscriber is how often each one (re)connects in a month.
	ConnectsPerSubscriber *big.Rat
}

// Volume is one monthly quantity of the profile after scaling.
type Volume struct {
	// Name is an operation or a resource.
	Name string
	Qty  *big.Rat
	// Field and Line say where the profile sets it.
	Field string
	Line  int
	// Derived explains a quantity computed from subscriptions.
	Derived string
}

// BuiltinProfiles lists the embedded profile names.
func BuiltinProfiles() []string {
	entries, err := profileFiles.ReadDir("profiles")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// LoadProfile reads a built-in profile by name (hobby, startup, scale,
// article-proxy, article-backend) or a profile file by path.
func LoadProfile(nameOrPath string) (*Profile, error) {
	if nameOrPath == "" {
		return nil, fmt.Errorf("profile: name one (%s) or give a file", strings.Join(BuiltinProfiles(), ", "))
	}
	looksLikeName := !strings.ContainsAny(nameOrPath, `/\`) && filepath.Ext(nameOrPath) == ""
	if looksLikeName {
		file := path.Join("profiles", nameOrPath+".yaml")
		data, err := profileFiles.ReadFile(file)
		if err == nil {
			return ParseProfile("costmodel/"+file, data)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("profile %s: %w", nameOrPath, err)
		}
		if _, serr := os.Stat(nameOrPath); serr != nil {
			return nil, fmt.Errorf("profile %q: no such built-in profile (%s) and no such file", nameOrPath, strings.Join(BuiltinProfiles(), ", "))
		}
	}
	data, err := os.ReadFile(nameOrPath)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	return ParseProfile(nameOrPath, data)
}

// ParseProfile reads a profile from YAML; file names it in errors.
func ParseProfile(file string, data []byte) (*Profile, error) {
	root, err := parseDoc(file, data)
	if err != nil {
		return nil, err
	}
	f, err := root.fields("name", "description", "operations", "subscriptions", "resources", "units")
	if err != nil {
		return nil, err
	}
	p := &Profile{File: file, Operations: map[string]*big.Rat{}, Resources: map[string]*big.Rat{},
		Units: map[string][]UnitQty{}, lines: map[string]int{}}
	if p.Name, err = root.get(f, "name").text(); err != nil {
		return nil, err
	}
	if p.Name == "" {
		p.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	if p.Description, err = root.get(f, "description").text(); err != nil {
		return nil, err
	}
	if err := p.readQuantities(root.get(f, "operations"), isOperation, "operation", Operations, p.Operations); err != nil {
		return nil, err
	}
	if err := p.readQuantities(root.get(f, "resources"), isResource, "resource", Resources, p.Resources); err != nil {
		return nil, err
	}
	if err := p.readSubscriptions(root.get(f, "subscriptions")); err != nil {
		return nil, err
	}
	if _, ok := p.Resources["seats"]; !ok {
		p.Resources["seats"] = big.NewRat(1, 1)
		p.SeatsAssumed = true
		p.lines["resources.seats"] = root.get(f, "resources").lineNo()
	}
	un := root.get(f, "units")
	es, err := un.entries()
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if _, err := mappingFor(e.key); err != nil {
			return nil, e.val.errorf("%v", err)
		}
		uqs, err := parseUnitQtys(e.val)
		if err != nil {
			return nil, err
		}
		p.Units[e.key] = uqs
		for _, uq := range uqs {
			p.lines["units."+e.key+"."+uq.Unit] = uq.Line
		}
	}
	if len(p.Operations) == 0 && p.Subscriptions == nil && len(p.Units) == 0 && len(p.Resources) == 1 && p.SeatsAssumed {
		return nil, root.errorf("the profile has no traffic: give operations, subscriptions, resources or units")
	}
	return p, nil
}

func (p *Profile) readQuantities(n node, valid func(string) bool, what string, names []string, into map[string]*big.Rat) error {
	es, err := n.entries()
	if err != nil {
		return err
	}
	for _, e := range es {
		if !valid(e.key) {
			return e.val.errorf("unknown %s; known: %s", what, strings.Join(names, ", "))
		}
		q, err := e.val.requiredQuantity("a monthly quantity")
		if err != nil {
			return err
		}
		into[e.key] = q
		p.lines[e.val.field] = e.val.lineNo()
	}
	return nil
}

// derivedOperations are set by subscriptions, never by hand.
var derivedOperations = []string{OpMessagePublished, OpMessageDelivered, OpWSConnect}

func (p *Profile) readSubscriptions(n node) error {
	if !n.present() {
		return nil
	}
	f, err := n.fields("subscribers", "per_channel", "messages_per_subscriber", "connects_per_subscriber")
	if err != nil {
		return err
	}
	s := &Subscriptions{}
	read := func(key, what string, dst **big.Rat) error {
		v := n.get(f, key)
		q, err := v.requiredQuantity(what)
		if err != nil {
			return err
		}
		*dst = q
		p.lines[v.field] = v.lineNo()
		return nil
	}
	if err := read("subscribers", "connected clients", &s.Subscribers); err != nil {
		return err
	}
	if err := read("per_channel", "subscribers sharing one channel (one published message reaches them all)", &s.PerChannel); err != nil {
		return err
	}
	if err := read("messages_per_subscriber", "messages each subscriber receives in a month", &s.MessagesPerSubscriber); err != nil {
		return err
	}
	if err := read("connects_per_subscriber", "WebSocket (re)connections per subscriber per month", &s.ConnectsPerSubscriber); err != nil {
		return err
	}
	pc := n.get(f, "per_channel")
	if s.PerChannel.Sign() == 0 {
		return pc.errorf("must be at least 1")
	}
	if s.PerChannel.Cmp(s.Subscribers) > 0 && s.Subscribers.Sign() > 0 {
		return pc.errorf("%s subscribers per channel but only %s subscribers", formatQty(s.PerChannel), formatQty(s.Subscribers))
	}
	for _, op := range derivedOperations {
		if _, set := p.Operations[op]; set {
			return n.errorf("operations.%s is derived from subscriptions: remove one of the two", op)
		}
	}
	p.Subscriptions = s
	return nil
}

// Volumes lists the profile's monthly quantities scaled by m, operations
// first (in Operations order), then resources. Seats do not scale: a team
// does not grow with traffic.
func (p *Profile) Volumes(m *big.Rat) []Volume {
	var out []Volume
	scaled := func(q *big.Rat) *big.Rat { return new(big.Rat).Mul(q, m) }
	for _, op := range Operations {
		if q, ok := p.Operations[op]; ok {
			field := "operations." + op
			out = append(out, Volume{Name: op, Qty: scaled(q), Field: field, Line: p.lines[field]})
		}
		if s := p.Subscriptions; s != nil {
			if v, ok := s.volume(op, p.lines); ok {
				v.Qty = scaled(v.Qty)
				out = append(out, v)
			}
		}
	}
	for _, r := range Resources {
		if q, ok := p.Resources[r]; ok {
			field := "resources." + r
			v := Volume{Name: r, Qty: scaled(q), Field: field, Line: p.lines[field]}
			if r == "seats" {
				v.Qty = new(big.Rat).Set(q)
			}
			out = append(out, v)
		}
	}
	return out
}

// volume derives one operation from the subscriptions.
func (s *Subscriptions) volume(op string, lines map[string]int) (Volume, bool) {
	delivered := new(big.Rat).Mul(s.Subscribers, s.MessagesPerSubscriber)
	switch op {
	case OpMessageDelivered:
		f := "subscriptions.messages_per_subscriber"
		return Volume{Name: op, Qty: delivered, Field: f, Line: lines[f],
			Derived: "subscribers x messages_per_subscriber"}, true
	case OpMessagePublished:
		f := "subscriptions.per_channel"
		return Volume{Name: op, Qty: new(big.Rat).Quo(delivered, s.PerChannel), Field: f, Line: lines[f],
			Derived: "subscribers x messages_per_subscriber / per_channel"}, true
	case OpWSConnect:
		f := "subscriptions.connects_per_subscriber"
		return Volume{Name: op, Qty: new(big.Rat).Mul(s.Subscribers, s.ConnectsPerSubscriber), Field: f, Line: lines[f],
			Derived: "subscribers x connects_per_subscriber"}, true
	}
	return Volume{}, false
}

// directUnits lists the profile's extra units for a platform, scaled.
func (p *Profile) directUnits(platform string, m *big.Rat) []Volume {
	var out []Volume
	for _, uq := range p.Units[platform] {
		field := "units." + platform + "." + uq.Unit
		out = append(out, Volume{Name: uq.Unit, Qty: new(big.Rat).Mul(uq.Qty, m), Field: field, Line: p.lines[field]})
	}
	return out
}
