package costmodel

import (
	"fmt"
	"io"
	"time"

	"versus/results"
)

// DefaultProfile is the profile `versus cost` bills when none is named.
const DefaultProfile = "startup"

// CostArgs are the flags of `versus cost`.
type CostArgs struct {
	// Profile is a built-in profile name or a profile file ("" means
	// DefaultProfile).
	Profile string
	// Pricing are catalog files; one named like a built-in catalog
	// replaces it, others are added.
	Pricing []string
	// Run is a run directory whose metered units are compared with the
	// declared ones.
	Run string
	// ConvexSubBilling is per-subscriber or per-query ("" = the default,
	// per-subscriber).
	ConvexSubBilling string
	// WorkersPublishVia is http or websocket ("" = the default, http).
	WorkersPublishVia string
	// Now dates the staleness check (zero = the current time).
	Now time.Time
}

// CLI prints what `versus cost` shows: the profile's bill on every plan of
// every catalog, the cheapest plan per platform, the break-even multiple
// of each Workers plan against each Convex plan of the same price source
// (among plans that fit the profile as it is), and, with a run, metered
// units beside declared ones.
func CLI(w io.Writer, args CostArgs) error {
	cs, err := Builtin()
	if err != nil {
		return err
	}
	for _, f := range args.Pricing {
		c, err := LoadCatalogFile(f)
		if err != nil {
			return err
		}
		cs.Put(c)
	}
	name := args.Profile
	if name == "" {
		name = DefaultProfile
	}
	p, err := LoadProfile(name)
	if err != nil {
		return err
	}
	opts := Options{Switches: map[string]string{}, Now: args.Now}
	if args.ConvexSubBilling != "" {
		opts.Switches[SwitchConvexSubBilling] = args.ConvexSubBilling
	}
	if args.WorkersPublishVia != "" {
		opts.Switches[SwitchWorkersPublishVia] = args.WorkersPublishVia
	}
	if err := opts.check(); err != nil {
		return err
	}

	fmt.Fprintf(w, "profile %s (%s): %s\n", p.Name, p.File, p.Description)
	for _, c := range cs.List {
		fmt.Fprintf(w, "catalog %s: %s, %s prices as of %s; source: %s\n", c.Name, c.Title, c.Currency, c.AsOf.Format(time.DateOnly), c.Source)
	}
	var bills []*MonthlyBill
	for _, c := range cs.List {
		for _, plan := range c.Plans {
			b, err := Bill(c, plan.Name, p, opts)
			if err != nil {
				return err
			}
			bills = append(bills, b)
		}
	}
	if err := WriteBills(w, bills); err != nil {
		return err
	}

	fits := map[string]bool{}
	for _, b := range bills {
		fits[b.Catalog.Name+"/"+b.Plan.Name] = b.Feasible
	}
	fmt.Fprintln(w)
	for _, pair := range breakEvenPairs(cs) {
		if !fits[pair[0].String()] || !fits[pair[1].String()] {
			continue
		}
		r, err := BreakEven(pair[0], pair[1], p, opts)
		if err != nil {
			return err
		}
		if err := WriteBreakEven(w, []*BreakEvenResult{r}); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "  (assumptions: those printed under each bill)")

	if args.Run != "" {
		run, err := results.Load(args.Run)
		if err != nil {
			return err
		}
		units, err := UnitsFromRun(run, opts)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\nrun %s: metered units beside the declared mapping\n", run.ID)
		if err := WriteMeasured(w, units); err != nil {
			return err
		}
	}
	return nil
}

// breakEvenPairs pairs each Workers plan with each Convex plan of the same
// price source: the platforms' own catalogs together, and each partial
// catalog (the article) on its own, since mixing the article's figures
// with the price lists would compare a claim with a fact.
func breakEvenPairs(cs *Catalogs) [][2]PlanRef {
	families := map[string][]PlanRef{}
	var order []string
	for _, c := range cs.List {
		family := "price lists"
		if c.Partial {
			family = c.Name
		}
		if _, ok := families[family]; !ok {
			order = append(order, family)
		}
		for _, p := range c.Plans {
			families[family] = append(families[family], PlanRef{Catalog: c, Plan: p.Name})
		}
	}
	var out [][2]PlanRef
	for _, f := range order {
		refs := families[f]
		for _, a := range refs {
			pa, _ := a.Catalog.Plan(a.Plan)
			if pa.Platform != "workers" {
				continue
			}
			for _, b := range refs {
				pb, _ := b.Catalog.Plan(b.Plan)
				if pb.Platform == "convex" {
					out = append(out, [2]PlanRef{a, b})
				}
			}
		}
	}
	return out
}
