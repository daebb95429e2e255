package costmodel

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"
)

// Options are the stated assumptions a bill is computed under.
type Options struct {
	// Switches set the mappings' switches by name, e.g.
	// {SwitchConvexSubBilling: "per-query"}; unset ones take their default.
	Switches map[string]string
	// Now dates the staleness check: a price checked more than 12 months
	// before Now gets a warning. Zero means the current time.
	Now time.Time
	// Range is the span of multipliers Sweep and BreakEven cover.
	Range SweepRange
}

// StaleAfter is how old a price may be before bills warn about it.
const StaleAfter = 12 // months

func (o Options) check() error {
	known := knownSwitches()
	for name, v := range o.Switches {
		s, ok := known[name]
		if !ok {
			names := make([]string, 0, len(known))
			for n := range known {
				names = append(names, n)
			}
			sort.Strings(names)
			return fmt.Errorf("unknown switch %q; known: %s", name, strings.Join(names, ", "))
		}
		if v != "" && s.choice(v) == nil {
			return fmt.Errorf("%s=%q: want one of %s", name, v, strings.Join(s.choiceNames(), ", "))
		}
	}
	return nil
}

func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

// MonthlyBill is a month of a profile on one plan. (The function that
// computes it is Bill; Go does not let a type share its name.)
type MonthlyBill struct {
	Catalog *Catalog
	Plan    *Plan
	Profile *Profile
	// Multiplier scales the profile's traffic (1 for Bill).
	Multiplier *big.Rat
	BaseFee    Micro
	Lines      []Line
	Total      Micro
	// Feasible is false when the workload exceeds a capped allowance or
	// needs a unit the plan does not offer; Exceeded says which.
	Feasible bool
	Exceeded []string
	// Operations is what each operation of the profile costs here.
	Operations  []OperationCost
	Assumptions []string
	Warnings    []string
}

// Line is one billable unit of a bill.
type Line struct {
	Unit string
	// Units is the monthly quantity, including what conversions add.
	Units *big.Rat
	// Price is nil when the plan does not price the unit.
	Price *Price
	// Free and Included are the monthly allowances applied.
	Free, Included *big.Rat
	Billable       *big.Rat
	Amount         Micro
	// BilledAs names the unit a converted unit is counted in (its amount
	// is on that unit's line).
	BilledAs string
	// Converted is the part of Units that conversions brought in.
	Converted *big.Rat
	// OverCap is the quantity beyond a capped allowance.
	OverCap *big.Rat
	// NotPriced: a partial catalog gives no price (counts $0);
	// NotOffered: the plan does not sell the unit (the bill is infeasible).
	NotPriced  bool
	NotOffered bool
	Unsure     bool
	Note       string
}

// OperationCost is the units one operation costs, and how many the
// profile has.
type OperationCost struct {
	Name    string
	Count   *big.Rat
	Units   []UnitQty
	Derived string
	Note    string
	Unsure  bool
}

// Bill computes a month of profile p on one plan of catalog c.
func Bill(c *Catalog, plan string, p *Profile, opts Options) (*MonthlyBill, error) {
	return billAt(c, plan, p, opts, big.NewRat(1, 1))
}

// usage accumulates units in first-seen order, remembering which profile
// field produced each (for errors).
type usage struct {
	order  []string
	qty    map[string]*big.Rat
	origin map[string]Volume
}

func (u *usage) add(unit string, q *big.Rat, from Volume) {
	if _, ok := u.qty[unit]; !ok {
		u.order = append(u.order, unit)
		u.qty[unit] = new(big.Rat)
		u.origin[unit] = from
	}
	u.qty[unit].Add(u.qty[unit], q)
}

func billAt(c *Catalog, planName string, p *Profile, opts Options, m *big.Rat) (*MonthlyBill, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	plan, err := c.Plan(planName)
	if err != nil {
		return nil, err
	}
	mp, err := mappingFor(plan.Platform)
	if err != nil {
		return nil, fmt.Errorf("%s: plan %s: %w", c.File, plan.Name, err)
	}
	r, err := mp.resolve(opts)
	if err != nil {
		return nil, err
	}
	b := &MonthlyBill{Catalog: c, Plan: plan, Profile: p, Multiplier: new(big.Rat).Set(m), Feasible: true}
	if b.BaseFee, err = toMicro(plan.BaseFee); err != nil {
		return nil, err
	}

	u := &usage{qty: map[string]*big.Rat{}, origin: map[string]Volume{}}
	for _, v := range p.Volumes(m) {
		var units []UnitQty
		var note string
		var unsure bool
		if isOperation(v.Name) {
			units = r.unitsPerOperation(v.Name)
			for _, cost := range r.operations[v.Name] {
				note = joinNote(note, cost.Note)
				unsure = unsure || cost.Unsure
			}
		} else {
			cost := mp.Resources[v.Name]
			units, note, unsure = cost.Units, cost.Note, cost.Unsure
		}
		b.Operations = append(b.Operations, OperationCost{Name: v.Name, Count: v.Qty, Units: units, Derived: v.Derived, Note: note, Unsure: unsure})
		for _, uq := range units {
			u.add(uq.Unit, new(big.Rat).Mul(v.Qty, uq.Qty), v)
		}
	}
	for _, v := range p.directUnits(plan.Platform, m) {
		u.add(v.Name, v.Qty, v)
	}
	if err := b.price(u); err != nil {
		return nil, err
	}
	b.assume(mp, r, opts)
	return b, nil
}

func joinNote(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

// price turns usage into lines: conversions first, then each unit against
// the plan's allowance and price.
func (b *MonthlyBill) price(u *usage) error {
	c, plan := b.Catalog, b.Plan
	converted := map[string]*big.Rat{}
	var lines []Line
	for _, unit := range append([]string(nil), u.order...) {
		if plan.Price(unit) != nil {
			continue
		}
		cv, ok := c.Conversions[unit]
		if !ok {
			continue
		}
		add := new(big.Rat).Mul(u.qty[unit], cv.Ratio)
		u.add(cv.BillsAs, add, u.origin[unit])
		if converted[cv.BillsAs] == nil {
			converted[cv.BillsAs] = new(big.Rat)
		}
		converted[cv.BillsAs].Add(converted[cv.BillsAs], add)
		lines = append(lines, Line{Unit: unit, Units: u.qty[unit], BilledAs: cv.BillsAs, Unsure: cv.Unsure,
			Note: fmt.Sprintf("billed as %s x %s. %s", cv.BillsAs, cv.Ratio.RatString(), cv.Note)})
	}
	var out []Line
	for _, pr := range plan.Prices {
		q, ok := u.qty[pr.Unit]
		if !ok {
			continue
		}
		l, err := b.priceLine(pr, q)
		if err != nil {
			return err
		}
		l.Converted = converted[pr.Unit]
		out = append(out, l)
		for _, cl := range lines {
			if cl.BilledAs == pr.Unit {
				out = append(out, cl)
			}
		}
	}
	for _, unit := range u.order {
		if _, conv := c.Conversions[unit]; conv || plan.Price(unit) != nil {
			continue
		}
		l, err := b.unpriced(unit, u)
		if err != nil {
			return err
		}
		l.Converted = converted[unit]
		out = append(out, l)
		for _, cl := range lines {
			if cl.BilledAs == unit {
				out = append(out, cl)
			}
		}
	}
	b.Lines = out
	b.Total = b.BaseFee
	for _, l := range out {
		b.Total += l.Amount
	}
	return nil
}

func (b *MonthlyBill) priceLine(pr *Price, q *big.Rat) (Line, error) {
	l := Line{Unit: pr.Unit, Units: q, Price: pr, Free: pr.FreeMonthly(), Included: new(big.Rat).Set(pr.Included),
		Unsure: pr.Unsure, Note: pr.Note}
	allowance := new(big.Rat).Add(l.Free, l.Included)
	l.Billable = new(big.Rat).Sub(q, allowance)
	if l.Billable.Sign() < 0 {
		l.Billable.SetInt64(0)
	}
	if pr.Capped {
		if l.Billable.Sign() > 0 {
			l.OverCap = l.Billable
			b.Feasible = false
			b.Exceeded = append(b.Exceeded, fmt.Sprintf("%s: %s a month needed, the plan allows %s and sells no more", pr.Unit, formatQty(q), formatQty(allowance)))
		}
		return l, nil
	}
	amount := new(big.Rat).Mul(l.Billable, pr.Amount)
	amount.Quo(amount, pr.Per)
	m, err := toMicro(amount)
	if err != nil {
		return Line{}, fmt.Errorf("%s/%s: %s: %w", b.Catalog.Name, b.Plan.Name, pr.Unit, err)
	}
	l.Amount = m
	return l, nil
}

// unpriced handles a unit the plan gives no price for: a partial catalog
// counts it $0 and says so; a complete catalog that prices it on another
// plan means this plan does not offer it; a complete catalog that prices it
// nowhere is an error in the data.
func (b *MonthlyBill) unpriced(unit string, u *usage) (Line, error) {
	c := b.Catalog
	l := Line{Unit: unit, Units: u.qty[unit]}
	if c.Partial {
		l.NotPriced = true
		l.Note = fmt.Sprintf("%s gives no price for %s: counted as $0", c.Name, unit)
		return l, nil
	}
	for _, other := range c.Plans {
		if other.Platform == b.Plan.Platform && (other.Price(unit) != nil || other.Price(c.Conversions[unit].BillsAs) != nil) {
			l.NotOffered = true
			l.Note = fmt.Sprintf("%s does not offer %s (%s does)", b.Plan.Name, unit, other.Name)
			b.Feasible = false
			b.Exceeded = append(b.Exceeded, l.Note)
			return l, nil
		}
	}
	v := u.origin[unit]
	how := "through the " + b.Plan.Platform + " operation mapping"
	if strings.HasPrefix(v.Field, "units.") {
		how = "directly"
	}
	return Line{}, &FieldError{File: b.Profile.File, Line: v.Line, Field: v.Field,
		Msg: fmt.Sprintf("uses unit %s (%s), which catalog %s (%s) prices on no %s plan: add a price for %s to that catalog, or pass a --pricing file that has one",
			unit, how, c.Name, c.File, b.Plan.Platform, unit)}
}

// assume collects what the reader must know to trust the figures.
func (b *MonthlyBill) assume(mp *Mapping, r *resolved, opts Options) {
	add := func(s string) {
		for _, x := range b.Assumptions {
			if x == s {
				return
			}
		}
		b.Assumptions = append(b.Assumptions, s)
	}
	for _, l := range b.Lines {
		if l.Price != nil && l.Price.FreePer == "day" {
			add(fmt.Sprintf("Free allowances given per day count x%d a month: traffic is assumed even across the days, so a burst can hit a daily cap that the monthly figure fits.", DaysPerMonth))
			break
		}
	}
	for _, a := range mp.Assumptions {
		add(a)
	}
	for _, ch := range r.choices {
		add("Switch " + ch)
	}
	if b.Profile.SeatsAssumed {
		for _, l := range b.Lines {
			if l.Unit == "seats" {
				add("The profile gives no seats: a team of 1 is assumed.")
			}
		}
	}
	for _, oc := range b.Operations {
		if oc.Derived != "" {
			add(fmt.Sprintf("%s = %s.", oc.Name, oc.Derived))
		}
	}
	if b.Multiplier.Cmp(big.NewRat(1, 1)) != 0 {
		add(fmt.Sprintf("Traffic, storage and file volumes are the profile's x%s; seats are not scaled.", formatQty(b.Multiplier)))
	}
	for _, n := range b.Catalog.Notes {
		add(b.Catalog.Name + ": " + n)
	}
	b.warnStale(opts.now())
}

// warnStale warns once per catalog date about prices checked more than
// StaleAfter months before now.
func (b *MonthlyBill) warnStale(now time.Time) {
	limit := now.AddDate(0, -StaleAfter, 0)
	byDate := map[string][]string{}
	var dates []string
	for _, l := range b.Lines {
		if l.Price == nil || !l.Price.AsOf.Before(limit) {
			continue
		}
		d := l.Price.AsOf.Format(time.DateOnly)
		if _, ok := byDate[d]; !ok {
			dates = append(dates, d)
		}
		byDate[d] = append(byDate[d], l.Unit)
	}
	sort.Strings(dates)
	for _, d := range dates {
		b.Warnings = append(b.Warnings, fmt.Sprintf("prices of %s dated %s are more than %d months old (%s): check %s and update %s",
			b.Catalog.Name, d, StaleAfter, strings.Join(byDate[d], ", "), b.Catalog.Source, b.Catalog.File))
	}
}

// Unsure reports whether any figure the bill used is marked unsure.
func (b *MonthlyBill) Unsure() bool {
	for _, l := range b.Lines {
		if l.Unsure {
			return true
		}
	}
	for _, oc := range b.Operations {
		if oc.Unsure {
			return true
		}
	}
	return b.Plan.Unsure
}
