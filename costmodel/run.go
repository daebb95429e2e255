package costmodel

import (
	"fmt"
	"math/big"
	"strings"

	"versus/results"
)

// OperationUnits compares, for one scenario on one target (trials added
// up), the units the target metered with those the platform's mapping
// declares for the operations the harness counted.
type OperationUnits struct {
	Scenario string
	Kind     string
	Target   string
	// Params distinguish cells of one scenario ("subscribers=100").
	Params string
	// Platform is the mapping the declared units come from ("" when the
	// target's kind or model maps to no platform).
	Platform   string
	Operations []OperationCount
	Units      []UnitComparison
	Notes      []string
}

// OperationCount is how many operations of a name the cell counted.
type OperationCount struct {
	Name  string
	Count int64
}

// UnitComparison is one unit, declared against measured, in totals and per
// operation of the cell's first counted operation.
type UnitComparison struct {
	Unit     string
	Declared *big.Rat
	// Measured is nil when the target did not meter the unit.
	Measured *big.Rat
	// DeclaredPerOp and MeasuredPerOp divide by the first operation's count.
	DeclaredPerOp, MeasuredPerOp *big.Rat
}

// DiffPercent is (measured - declared) / declared in percent; ok is false
// when either side is missing or declared is zero.
func (u UnitComparison) DiffPercent() (pct float64, ok bool) {
	if u.Measured == nil || u.Declared == nil || u.Declared.Sign() == 0 {
		return 0, false
	}
	d := new(big.Rat).Sub(u.Measured, u.Declared)
	d.Quo(d, u.Declared)
	f, _ := d.Float64()
	return f * 100, true
}

// platformOf says which mapping a run target's bill would use: by kind
// first (a real runtime), then by model (an embedded reference backend).
func platformOf(t results.TargetInfo) string {
	switch t.Kind {
	case "cloudflare":
		return "workers"
	case "convex":
		return "convex"
	}
	switch t.Model {
	case "edge":
		return "workers"
	case "integrated":
		return "convex"
	}
	return ""
}

// cellOperations names the operations a cell counted. Counters are those
// the scenarios keep: the driver's "sent" per request, "scheduled" and
// "fired" for jobs, "published" and "delivered" for channels; a generic
// "ops" counter is honoured for any kind. HTTP cells are item writes or
// reads when their params say so (method, path), else plain requests.
func cellOperations(kind string, params map[string]string, counters map[string]int64) ([]OperationCount, []string) {
	var ops []OperationCount
	var notes []string
	add := func(name, counter string) {
		if n, ok := counters[counter]; ok && n > 0 {
			ops = append(ops, OperationCount{Name: name, Count: n})
		}
	}
	switch kind {
	case "http":
		op := OpHTTPRequest
		path, method := params["path"], strings.ToUpper(params["method"])
		switch {
		case strings.HasPrefix(path, "/items/") && method == "PUT":
			op = OpItemWrite
		case strings.HasPrefix(path, "/items/"):
			op = OpItemRead
		case path == "":
			notes = append(notes, "the cell records no path: its requests are counted as http_request")
		}
		add(op, "sent")
	case "webhook":
		add(OpWebhook, "sent")
	case "schedule":
		add(OpJobScheduled, "scheduled")
		add(OpJobFired, "fired")
	case "subscribe", "fanout":
		add(OpMessagePublished, "published")
		add(OpMessageDelivered, "delivered")
		notes = append(notes, "subscribers connect before the measured phase: ws_connect is not counted")
	}
	if len(ops) == 0 {
		if n := counters["ops"]; n > 0 {
			notes = append(notes, fmt.Sprintf("kind %s: %d operations counted as http_request", kind, n))
			ops = append(ops, OperationCount{Name: OpHTTPRequest, Count: n})
		}
	}
	return ops, notes
}

// UnitsFromRun compares, per scenario and target of a run, the units the
// target metered (the cells' Meters) with the units the platform's
// mapping declares for the operations counted, under opts' switches.
// Cells of the same scenario, target and params are added across trials;
// skipped cells are left out.
func UnitsFromRun(run *results.Run, opts Options) ([]OperationUnits, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	targets := map[string]results.TargetInfo{}
	for _, t := range run.Targets {
		targets[t.Name] = t
	}
	type group struct {
		first    *results.Cell
		counters map[string]int64
		meters   map[string]float64
	}
	var order []string
	groups := map[string]*group{}
	for _, c := range run.Cells {
		if c == nil || c.Skipped != "" {
			continue
		}
		key := c.Key()
		g, ok := groups[key]
		if !ok {
			g = &group{first: c, counters: map[string]int64{}, meters: map[string]float64{}}
			groups[key] = g
			order = append(order, key)
		}
		for k, v := range c.Counters {
			g.counters[k] += v
		}
		for k, v := range c.Meters {
			g.meters[k] += v
		}
	}
	var out []OperationUnits
	for _, key := range order {
		g := groups[key]
		c := g.first
		ou := OperationUnits{Scenario: c.Scenario, Kind: c.Kind, Target: c.Target, Params: results.ParamsKey(c.Params),
			Platform: platformOf(targets[c.Target])}
		ou.Operations, ou.Notes = cellOperations(c.Kind, c.Params, g.counters)
		declared, err := declaredUnits(ou.Platform, ou.Operations, opts)
		if err != nil {
			return nil, err
		}
		if ou.Platform == "" {
			ou.Notes = append(ou.Notes, fmt.Sprintf("target %s (kind %q) maps to no platform: no declared units", c.Target, targets[c.Target].Kind))
		}
		measured := map[string]*big.Rat{}
		for unit, v := range g.meters {
			if _, known := unitByName(unit); !known {
				ou.Notes = append(ou.Notes, fmt.Sprintf("metered unit %s: unknown to the catalogs, ignored", unit))
				continue
			}
			measured[unit] = new(big.Rat).SetFloat64(v)
		}
		if len(measured) == 0 {
			ou.Notes = append(ou.Notes, "the target metered nothing (no /meters): only declared units")
		}
		ou.Units = compareUnits(declared, measured, ou.Operations)
		out = append(out, ou)
	}
	return out, nil
}

// declaredUnits totals the mapping's units for the counted operations.
func declaredUnits(platform string, ops []OperationCount, opts Options) (map[string]*big.Rat, error) {
	out := map[string]*big.Rat{}
	if platform == "" {
		return out, nil
	}
	m, err := mappingFor(platform)
	if err != nil {
		return nil, err
	}
	r, err := m.resolve(opts)
	if err != nil {
		return nil, err
	}
	for _, op := range ops {
		for _, uq := range r.unitsPerOperation(op.Name) {
			if out[uq.Unit] == nil {
				out[uq.Unit] = new(big.Rat)
			}
			out[uq.Unit].Add(out[uq.Unit], new(big.Rat).Mul(uq.Qty, big.NewRat(op.Count, 1)))
		}
	}
	return out, nil
}

func compareUnits(declared, measured map[string]*big.Rat, ops []OperationCount) []UnitComparison {
	var per *big.Rat
	if len(ops) > 0 {
		per = big.NewRat(ops[0].Count, 1)
	}
	perOp := func(q *big.Rat) *big.Rat {
		if q == nil || per == nil {
			return nil
		}
		return new(big.Rat).Quo(q, per)
	}
	var out []UnitComparison
	for _, name := range KnownUnits() {
		d, m := declared[name], measured[name]
		if d == nil && m == nil {
			continue
		}
		if d == nil {
			d = new(big.Rat)
		}
		out = append(out, UnitComparison{Unit: name, Declared: d, Measured: m, DeclaredPerOp: perOp(d), MeasuredPerOp: perOp(m)})
	}
	return out
}
