package costmodel

import (
	"embed"
	"fmt"
	"math/big"
	"path"
	"sort"
	"strings"
	"sync"
)

// Mapping says what one scenario operation costs on a platform, in
// billable units, and what the profile's resources (storage, files, seats)
// become. It is data (operations/<platform>.yaml) because it is a model, not
// a law: each entry carries the reasoning behind it.
type Mapping struct {
	Platform    string
	Title       string
	Assumptions []string
	Operations  map[string]Cost
	Resources   map[string]Cost
	Switches    []*Switch
	File        string
}

// Cost is the units of one operation (or one unit of a resource).
type Cost struct {
	Units  []UnitQty
	Note   string
	Unsure bool
}

// UnitQty is a quantity of one unit.
type UnitQty struct {
	Unit string
	Qty  *big.Rat
	// Line is where the quantity is written (0 when computed).
	Line int
}

// Switch is a stated assumption the user can flip, such as whether Convex
// bills a subscription update once per subscriber or once per query.
type Switch struct {
	Name    string
	Default string
	Note    string
	Choices []*Choice
}

// Choice is one setting of a switch: the units it adds to operations.
type Choice struct {
	Name       string
	Note       string
	Operations map[string]Cost
}

// Switch names of the built-in mappings.
const (
	// SwitchConvexSubBilling: per-subscriber (one function call per
	// subscriber per update) or per-query (one per shared query).
	SwitchConvexSubBilling = "convex_sub_billing"
	// SwitchWorkersPublishVia: http (POST, as the contract publishes) or
	// websocket (the client sends on its own socket to the Durable Object).
	SwitchWorkersPublishVia = "workers_publish_via"
)

//go:embed operations/*.yaml
var operationFiles embed.FS

var builtinMappings = sync.OnceValues(func() (map[string]*Mapping, error) {
	entries, err := operationFiles.ReadDir("operations")
	if err != nil {
		return nil, fmt.Errorf("costmodel: %w", err)
	}
	out := map[string]*Mapping{}
	for _, e := range entries {
		name := path.Join("operations", e.Name())
		data, err := operationFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("costmodel: %w", err)
		}
		m, err := parseMapping("costmodel/"+name, data)
		if err != nil {
			return nil, err
		}
		if _, dup := out[m.Platform]; dup {
			return nil, fmt.Errorf("costmodel/%s: platform %s is mapped twice", name, m.Platform)
		}
		out[m.Platform] = m
	}
	return out, nil
})

// platformNames lists the platforms that have a mapping.
func platformNames() []string {
	ms, err := builtinMappings()
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(ms))
	for n := range ms {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// mappingFor returns a platform's mapping.
func mappingFor(platform string) (*Mapping, error) {
	ms, err := builtinMappings()
	if err != nil {
		return nil, err
	}
	m, ok := ms[platform]
	if !ok {
		return nil, fmt.Errorf("%q: unknown platform; known: %s", platform, strings.Join(platformNames(), ", "))
	}
	return m, nil
}

// MappingFor returns the built-in mapping of a platform ("workers",
// "convex").
func MappingFor(platform string) (*Mapping, error) { return mappingFor(platform) }

func parseMapping(file string, data []byte) (*Mapping, error) {
	root, err := parseDoc(file, data)
	if err != nil {
		return nil, err
	}
	f, err := root.fields("platform", "title", "assumptions", "operations", "resources", "switches")
	if err != nil {
		return nil, err
	}
	m := &Mapping{File: file, Operations: map[string]Cost{}, Resources: map[string]Cost{}}
	plat := root.get(f, "platform")
	if m.Platform, err = plat.requiredText("the platform name"); err != nil {
		return nil, err
	}
	if !nameRe.MatchString(m.Platform) {
		return nil, plat.errorf("%q: use lowercase letters, digits and dashes", m.Platform)
	}
	if m.Title, err = root.get(f, "title").text(); err != nil {
		return nil, err
	}
	as, err := root.get(f, "assumptions").items()
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		s, err := a.requiredText("an assumption")
		if err != nil {
			return nil, err
		}
		m.Assumptions = append(m.Assumptions, s)
	}
	if m.Operations, err = parseCosts(root.get(f, "operations"), isOperation, "operation", Operations); err != nil {
		return nil, err
	}
	if m.Resources, err = parseCosts(root.get(f, "resources"), isResource, "resource", Resources); err != nil {
		return nil, err
	}
	for _, r := range Resources {
		if _, ok := m.Resources[r]; !ok {
			return nil, root.get(f, "resources").errorf("missing resource %s (write `%s: {units: {}}` if it costs nothing)", r, r)
		}
	}
	sw := root.get(f, "switches")
	ses, err := sw.entries()
	if err != nil {
		return nil, err
	}
	switched := map[string]bool{}
	for _, e := range ses {
		s, err := parseSwitch(e.key, e.val)
		if err != nil {
			return nil, err
		}
		m.Switches = append(m.Switches, s)
		for _, c := range s.Choices {
			for op := range c.Operations {
				switched[op] = true
			}
		}
	}
	for _, op := range Operations {
		if _, ok := m.Operations[op]; !ok && !switched[op] {
			return nil, root.get(f, "operations").errorf("missing operation %s (write `%s: {units: {}}` if it costs nothing)", op, op)
		}
	}
	return m, nil
}

func parseCosts(n node, valid func(string) bool, what string, names []string) (map[string]Cost, error) {
	es, err := n.entries()
	if err != nil {
		return nil, err
	}
	out := map[string]Cost{}
	for _, e := range es {
		if !valid(e.key) {
			return nil, e.val.errorf("unknown %s; known: %s", what, strings.Join(names, ", "))
		}
		c, err := parseCost(e.val)
		if err != nil {
			return nil, err
		}
		out[e.key] = c
	}
	return out, nil
}

func parseCost(n node) (Cost, error) {
	f, err := n.fields("units", "note", "unsure")
	if err != nil {
		return Cost{}, err
	}
	var c Cost
	if c.Note, err = n.get(f, "note").text(); err != nil {
		return Cost{}, err
	}
	if c.Unsure, err = n.get(f, "unsure").flag(); err != nil {
		return Cost{}, err
	}
	units := n.get(f, "units")
	if !units.present() {
		if _, written := f["units"]; !written {
			return Cost{}, units.errorf("missing: the units one operation costs (units: {} for none)")
		}
	}
	if c.Units, err = parseUnitQtys(units); err != nil {
		return Cost{}, err
	}
	return c, nil
}

// parseUnitQtys reads `unit: quantity` lines.
func parseUnitQtys(n node) ([]UnitQty, error) {
	es, err := n.entries()
	if err != nil {
		return nil, err
	}
	out := make([]UnitQty, 0, len(es))
	for _, e := range es {
		if _, ok := unitByName(e.key); !ok {
			return nil, e.val.errorf("unknown unit; known units: %s", strings.Join(KnownUnits(), ", "))
		}
		q, err := e.val.requiredQuantity("a quantity")
		if err != nil {
			return nil, err
		}
		out = append(out, UnitQty{Unit: e.key, Qty: q, Line: e.val.lineNo()})
	}
	return out, nil
}

func parseSwitch(name string, n node) (*Switch, error) {
	f, err := n.fields("default", "note", "choices")
	if err != nil {
		return nil, err
	}
	s := &Switch{Name: name}
	def := n.get(f, "default")
	if s.Default, err = def.requiredText("the choice used unless the user picks another"); err != nil {
		return nil, err
	}
	if s.Note, err = n.get(f, "note").text(); err != nil {
		return nil, err
	}
	ces, err := n.get(f, "choices").entries()
	if err != nil {
		return nil, err
	}
	for _, e := range ces {
		cf, err := e.val.fields("note", "operations")
		if err != nil {
			return nil, err
		}
		c := &Choice{Name: e.key}
		if c.Note, err = e.val.get(cf, "note").text(); err != nil {
			return nil, err
		}
		if c.Operations, err = parseCosts(e.val.get(cf, "operations"), isOperation, "operation", Operations); err != nil {
			return nil, err
		}
		s.Choices = append(s.Choices, c)
	}
	if s.choice(s.Default) == nil {
		return nil, def.errorf("%q is not one of the choices", s.Default)
	}
	return s, nil
}

func (s *Switch) choice(name string) *Choice {
	for _, c := range s.Choices {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (s *Switch) choiceNames() []string {
	names := make([]string, len(s.Choices))
	for i, c := range s.Choices {
		names[i] = c.Name
	}
	return names
}

// resolved is a mapping with its switches set.
type resolved struct {
	m          *Mapping
	operations map[string][]Cost
	// choices are the settings in effect, described for the reader.
	choices []string
}

// resolve applies the switches of opts (defaults for the others). A
// switch named in opts that no mapping knows is checked by Options.check.
func (m *Mapping) resolve(opts Options) (*resolved, error) {
	r := &resolved{m: m, operations: map[string][]Cost{}}
	for op, c := range m.Operations {
		r.operations[op] = []Cost{c}
	}
	for _, s := range m.Switches {
		name := s.Default
		if v, ok := opts.Switches[s.Name]; ok && v != "" {
			name = v
		}
		c := s.choice(name)
		if c == nil {
			return nil, fmt.Errorf("%s=%q: want one of %s", s.Name, name, strings.Join(s.choiceNames(), ", "))
		}
		for op, cost := range c.Operations {
			r.operations[op] = append(r.operations[op], cost)
		}
		desc := fmt.Sprintf("%s = %s", s.Name, c.Name)
		if c.Note != "" {
			desc += ": " + c.Note
		}
		if s.Note != "" {
			desc += " (" + s.Note + ")"
		}
		r.choices = append(r.choices, desc)
	}
	return r, nil
}

// unitsPerOperation sums the units one operation costs after switches.
func (r *resolved) unitsPerOperation(op string) []UnitQty {
	var out []UnitQty
	for _, c := range r.operations[op] {
		for _, uq := range c.Units {
			out = addUnit(out, uq.Unit, uq.Qty)
		}
	}
	return out
}

func addUnit(list []UnitQty, unit string, q *big.Rat) []UnitQty {
	for i := range list {
		if list[i].Unit == unit {
			list[i].Qty = new(big.Rat).Add(list[i].Qty, q)
			return list
		}
	}
	return append(list, UnitQty{Unit: unit, Qty: new(big.Rat).Set(q)})
}

// knownSwitches lists every switch name of the built-in mappings.
func knownSwitches() map[string]*Switch {
	ms, err := builtinMappings()
	if err != nil {
		return nil
	}
	out := map[string]*Switch{}
	for _, m := range ms {
		for _, s := range m.Switches {
			out[s.Name] = s
		}
	}
	return out
}
