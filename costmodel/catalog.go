package costmodel

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"
)

// DaysPerMonth converts a per-day free allowance to a monthly one. Bills
// are monthly; a 30-day month is the convention the platforms' own
// examples use, and it assumes traffic spread evenly over the days (a burst
// can hit a daily cap even when the monthly total fits).
const DaysPerMonth = 30

// Catalog is one pricing source: a platform's price list or the figures an
// article quoted, as of a date.
type Catalog struct {
	Name     string
	Title    string
	Source   string
	AsOf     time.Time
	Currency string
	// Partial catalogs (the article) quote only some prices: a unit they
	// do not price is shown as "not priced" and counts $0, instead of being
	// an error.
	Partial     bool
	Notes       []string
	Conversions map[string]Conversion
	Plans       []*Plan
	// File is where the catalog was read from, for messages.
	File string
}

// Conversion bills one unit as a fraction of another before allowances
// apply (100 incoming WebSocket messages are billed as 5 DO requests).
type Conversion struct {
	From    string
	BillsAs string
	Ratio   *big.Rat
	Unsure  bool
	Note    string
}

// Plan is one plan of a catalog.
type Plan struct {
	Name     string
	Title    string
	Platform string
	BaseFee  *big.Rat
	Unsure   bool
	Note     string
	// Prices in file order.
	Prices []*Price
}

// Price is what a plan charges for one unit.
type Price struct {
	Unit string
	// Free is the allowance as written; FreePer is "day" or "month".
	Free    *big.Rat
	FreePer string
	// Included is the monthly quantity the base fee pays for.
	Included *big.Rat
	// Amount is the overage price per Per units; Capped means the plan
	// sells nothing beyond Free+Included (the workload does not fit).
	Amount *big.Rat
	Per    *big.Rat
	Capped bool
	Unsure bool
	Note   string
	// AsOf is when this price was checked (the catalog's date unless the
	// price says otherwise).
	AsOf time.Time
	// Line is where the price is written, for staleness warnings.
	Line int
}

// FreeMonthly is the free allowance per month (a per-day allowance times
// DaysPerMonth).
func (p *Price) FreeMonthly() *big.Rat {
	if p.FreePer == "day" {
		return new(big.Rat).Mul(p.Free, big.NewRat(DaysPerMonth, 1))
	}
	return new(big.Rat).Set(p.Free)
}

// Plan finds a plan by name.
func (c *Catalog) Plan(name string) (*Plan, error) {
	for _, p := range c.Plans {
		if p.Name == name {
			return p, nil
		}
	}
	names := make([]string, len(c.Plans))
	for i, p := range c.Plans {
		names[i] = p.Name
	}
	return nil, fmt.Errorf("catalog %s has no plan %q; its plans: %s", c.Name, name, strings.Join(names, ", "))
}

// Price finds the price of a unit on the plan (nil when not priced).
func (p *Plan) Price(unit string) *Price {
	for _, pr := range p.Prices {
		if pr.Unit == unit {
			return pr
		}
	}
	return nil
}

var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// ParseCatalog reads a catalog from YAML; file names it in errors.
func ParseCatalog(file string, data []byte) (*Catalog, error) {
	root, err := parseDoc(file, data)
	if err != nil {
		return nil, err
	}
	f, err := root.fields("catalog", "title", "source", "as_of", "currency", "partial", "notes", "conversions", "plans")
	if err != nil {
		return nil, err
	}
	c := &Catalog{File: file, Conversions: map[string]Conversion{}}
	name := root.get(f, "catalog")
	if c.Name, err = name.requiredText("the catalog's name, e.g. catalog: cloudflare"); err != nil {
		return nil, err
	}
	if !nameRe.MatchString(c.Name) {
		return nil, name.errorf("%q: use lowercase letters, digits and dashes", c.Name)
	}
	if c.Title, err = root.get(f, "title").text(); err != nil {
		return nil, err
	}
	if c.Source, err = root.get(f, "source").requiredText("where the prices come from (a URL or a document)"); err != nil {
		return nil, err
	}
	asOf, ok, err := root.get(f, "as_of").date()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, root.get(f, "as_of").errorf("missing: the date the prices reflect, YYYY-MM-DD")
	}
	c.AsOf = asOf
	cur := root.get(f, "currency")
	if c.Currency, err = cur.requiredText("the currency, e.g. currency: USD"); err != nil {
		return nil, err
	}
	if len(c.Currency) != 3 || strings.ToUpper(c.Currency) != c.Currency {
		return nil, cur.errorf("%q: want an ISO 4217 code such as USD", c.Currency)
	}
	if c.Partial, err = root.get(f, "partial").flag(); err != nil {
		return nil, err
	}
	notes, err := root.get(f, "notes").items()
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		s, err := n.requiredText("a note")
		if err != nil {
			return nil, err
		}
		c.Notes = append(c.Notes, s)
	}
	if err := c.parseConversions(root.get(f, "conversions")); err != nil {
		return nil, err
	}
	plansNode := root.get(f, "plans")
	plans, err := plansNode.items()
	if err != nil {
		return nil, err
	}
	if len(plans) == 0 {
		return nil, plansNode.errorf("missing: at least one plan")
	}
	for _, pn := range plans {
		p, err := c.parsePlan(pn)
		if err != nil {
			return nil, err
		}
		if _, err := c.Plan(p.Name); err == nil {
			return nil, pn.errorf("plan %q is defined twice", p.Name)
		}
		c.Plans = append(c.Plans, p)
	}
	return c, nil
}

func (c *Catalog) parseConversions(n node) error {
	es, err := n.entries()
	if err != nil {
		return err
	}
	for _, e := range es {
		if _, ok := unitByName(e.key); !ok {
			return e.val.errorf("unknown unit; known units: %s", strings.Join(KnownUnits(), ", "))
		}
		f, err := e.val.fields("bills_as", "ratio", "unsure", "note")
		if err != nil {
			return err
		}
		cv := Conversion{From: e.key}
		to := e.val.get(f, "bills_as")
		if cv.BillsAs, err = to.requiredText("the unit this one is billed as"); err != nil {
			return err
		}
		if _, ok := unitByName(cv.BillsAs); !ok || cv.BillsAs == e.key {
			return to.errorf("%q: want another known unit", cv.BillsAs)
		}
		ratio := e.val.get(f, "ratio")
		if cv.Ratio, err = ratio.requiredQuantity("how many of bills_as one unit counts as, e.g. 1/20"); err != nil {
			return err
		}
		if cv.Ratio.Sign() == 0 {
			return ratio.errorf("must be more than 0")
		}
		if cv.Unsure, err = e.val.get(f, "unsure").flag(); err != nil {
			return err
		}
		if cv.Note, err = e.val.get(f, "note").text(); err != nil {
			return err
		}
		c.Conversions[e.key] = cv
	}
	for from, cv := range c.Conversions {
		if _, chained := c.Conversions[cv.BillsAs]; chained {
			return n.errorf("%s is billed as %s, which is itself converted: convert %s straight to the final unit", from, cv.BillsAs, from)
		}
	}
	return nil
}

func (c *Catalog) parsePlan(pn node) (*Plan, error) {
	f, err := pn.fields("name", "title", "platform", "base_fee", "unsure", "note", "units")
	if err != nil {
		return nil, err
	}
	p := &Plan{}
	name := pn.get(f, "name")
	if p.Name, err = name.requiredText("the plan's name, e.g. name: workers-paid"); err != nil {
		return nil, err
	}
	if !nameRe.MatchString(p.Name) {
		return nil, name.errorf("%q: use lowercase letters, digits and dashes", p.Name)
	}
	if p.Title, err = pn.get(f, "title").text(); err != nil {
		return nil, err
	}
	if p.Title == "" {
		p.Title = p.Name
	}
	plat := pn.get(f, "platform")
	if p.Platform, err = plat.requiredText("the platform whose operation mapping the plan bills: " + strings.Join(platformNames(), " or ")); err != nil {
		return nil, err
	}
	if _, err := mappingFor(p.Platform); err != nil {
		return nil, plat.errorf("%v", err)
	}
	if p.BaseFee, err = pn.get(f, "base_fee").requiredQuantity("the monthly base fee (0 for none)"); err != nil {
		return nil, err
	}
	if p.Unsure, err = pn.get(f, "unsure").flag(); err != nil {
		return nil, err
	}
	if p.Note, err = pn.get(f, "note").text(); err != nil {
		return nil, err
	}
	units := pn.get(f, "units")
	es, err := units.entries()
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		pr, err := c.parsePrice(e.key, e.val)
		if err != nil {
			return nil, err
		}
		if _, conv := c.Conversions[e.key]; conv {
			return nil, e.val.errorf("this catalog bills %s as %s (conversions): price one or the other, not both", e.key, c.Conversions[e.key].BillsAs)
		}
		p.Prices = append(p.Prices, pr)
	}
	return p, nil
}

func (c *Catalog) parsePrice(unit string, n node) (*Price, error) {
	if _, ok := unitByName(unit); !ok {
		return nil, n.errorf("unknown unit; known units: %s", strings.Join(KnownUnits(), ", "))
	}
	f, err := n.fields("free", "free_per", "included", "price", "per", "unsure", "note", "as_of")
	if err != nil {
		return nil, err
	}
	pr := &Price{Unit: unit, AsOf: c.AsOf, Line: n.lineNo(), Free: new(big.Rat), Included: new(big.Rat), Per: big.NewRat(1, 1), FreePer: "month"}
	if q, ok, err := n.get(f, "free").quantity(); err != nil {
		return nil, err
	} else if ok {
		pr.Free = q
	}
	per := n.get(f, "free_per")
	if s, ok, err := per.scalar(); err != nil {
		return nil, err
	} else if ok {
		if s != "day" && s != "month" {
			return nil, per.errorf("%q: want day or month", s)
		}
		if !n.get(f, "free").present() {
			return nil, per.errorf("free_per without free: write the free allowance too")
		}
		pr.FreePer = s
	}
	if q, ok, err := n.get(f, "included").quantity(); err != nil {
		return nil, err
	} else if ok {
		pr.Included = q
	}
	price := n.get(f, "price")
	s, ok, err := price.scalar()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, price.errorf("missing price: write the overage price in %s per `per` units (price: 0.30 with per: 1000000), 0 when the unit costs nothing, or `capped` when the plan sells nothing beyond its allowance", c.Currency)
	}
	if s == "capped" {
		pr.Capped = true
		pr.Amount = new(big.Rat)
	} else if pr.Amount, _, err = price.quantity(); err != nil {
		return nil, err
	}
	perNode := n.get(f, "per")
	if q, ok, err := perNode.quantity(); err != nil {
		return nil, err
	} else if ok {
		if q.Sign() == 0 {
			return nil, perNode.errorf("must be more than 0 (the quantity the price is for, e.g. 1000000)")
		}
		pr.Per = q
	}
	if pr.Unsure, err = n.get(f, "unsure").flag(); err != nil {
		return nil, err
	}
	if pr.Note, err = n.get(f, "note").text(); err != nil {
		return nil, err
	}
	if d, ok, err := n.get(f, "as_of").date(); err != nil {
		return nil, err
	} else if ok {
		pr.AsOf = d
	}
	return pr, nil
}
