package reports

import (
	"fmt"
	"math/big"
	"time"

	"versus/costmodel"
	"versus/results"
)

// costProfile is the traffic profile the report bills: the built-in
// startup profile, past every free tier, where the choice has a price.
const costProfile = "startup"

// sweepPlans are the plans drawn against traffic volume.
var sweepPlans = []string{"cloudflare/workers-paid", "convex/starter", "convex/professional"}

// CostFromModel builds the report's cost section from the built-in
// catalogs: the startup profile's bill on the cheapest plan of each
// platform, a sweep of it over volume, the units the run's targets
// metered beside those each platform declares, and the article's cost
// claim rated on the article's own proxy and backend examples.
func CostFromModel(r *results.Run, now time.Time) (*CostSection, []Claim, error) {
	cs, err := costmodel.Builtin()
	if err != nil {
		return nil, nil, err
	}
	opts := costmodel.Options{Now: now}
	profile, err := costmodel.LoadProfile(costProfile)
	if err != nil {
		return nil, nil, err
	}
	sec := &CostSection{VolumeLabel: fmt.Sprintf("traffic (multiple of the %s profile)", costProfile)}
	sec.Notes = append(sec.Notes, fmt.Sprintf("Profile %s: %s", profile.Name, profile.Description))
	for _, c := range cs.List {
		sec.Notes = append(sec.Notes, fmt.Sprintf("Catalog %s: prices as of %s; source: %s", c.Name, c.AsOf.Format("2006-01-02"), c.Source))
	}

	var bills []*costmodel.MonthlyBill
	for _, name := range []string{"cloudflare", "convex"} {
		c := cs.Get(name)
		for _, p := range c.Plans {
			b, err := costmodel.Bill(c, p.Name, profile, opts)
			if err != nil {
				return nil, nil, err
			}
			bills = append(bills, b)
		}
	}
	plans := CostTable{Caption: fmt.Sprintf("Monthly bill of the %s profile, every plan (`versus cost --profile %s` shows each line)", costProfile, costProfile),
		Header: []string{"catalog", "plan", "monthly", "fits"}}
	for _, b := range bills {
		fits := "yes"
		if !b.Feasible {
			fits = "no: " + b.Exceeded[0]
		}
		plans.Rows = append(plans.Rows, []string{b.Catalog.Name, b.Plan.Name, b.Total.String(), fits})
	}
	sec.Tables = append(sec.Tables, plans)
	if len(bills) > 0 {
		sec.Notes = append(sec.Notes, bills[0].Assumptions...)
	}

	var refs []costmodel.PlanRef
	for _, s := range sweepPlans {
		ref, err := cs.Ref(s)
		if err != nil {
			return nil, nil, err
		}
		refs = append(refs, ref)
	}
	points, err := costmodel.Sweep(refs, profile, opts)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range points {
		if p.Feasible {
			sec.Sweep = append(sec.Sweep, CostPoint{Multiplier: p.Multiplier, Series: p.Catalog + "/" + p.Plan, Dollars: p.Dollars})
		}
	}

	units, err := costmodel.UnitsFromRun(r, opts)
	if err != nil {
		return nil, nil, err
	}
	measured := CostTable{Caption: "Billable units per operation in this run: declared by the platform mapping, and measured by the target's own meters",
		Header: []string{"scenario", "target", "params", "per", "unit", "declared/op", "measured/op", "diff"}}
	for _, ou := range units {
		if len(ou.Operations) == 0 {
			continue
		}
		for _, u := range ou.Units {
			diff := "-"
			if pct, ok := u.DiffPercent(); ok {
				diff = fmt.Sprintf("%+.1f%%", pct)
			}
			measured.Rows = append(measured.Rows, []string{ou.Scenario, ou.Target, ou.Params, ou.Operations[0].Name,
				u.Unit, ratText(u.DeclaredPerOp), ratText(u.MeasuredPerOp), diff})
		}
	}
	if len(measured.Rows) > 0 {
		sec.Tables = append(sec.Tables, measured)
	}

	claim, err := costClaim(cs, opts)
	if err != nil {
		return nil, nil, err
	}
	return sec, []Claim{claim}, nil
}

// costClaim rates claim e on the article's own examples under the current
// catalogs: a proxy of 50,000 requests a day on Workers Free, and a backend
// of 2 M function calls a month on Convex.
func costClaim(cs *costmodel.Catalogs, opts costmodel.Options) (Claim, error) {
	claim := CostClaim()
	proxy, err := costmodel.LoadProfile("article-proxy")
	if err != nil {
		return claim, err
	}
	free, err := costmodel.Bill(cs.Get("cloudflare"), "workers-free", proxy, opts)
	if err != nil {
		return claim, err
	}
	backend, err := costmodel.LoadProfile("article-backend")
	if err != nil {
		return claim, err
	}
	starter, err := costmodel.Bill(cs.Get("convex"), "starter", backend, opts)
	if err != nil {
		return claim, err
	}
	pro, err := costmodel.Bill(cs.Get("convex"), "professional", backend, opts)
	if err != nil {
		return claim, err
	}
	if free.Feasible {
		claim.Verdict = Confirmed
		claim.Evidence = append(claim.Evidence, fmt.Sprintf("the article's proxy (article-proxy profile) fits Workers Free: %s a month", free.Total))
	} else {
		claim.Verdict = Refuted
		claim.Evidence = append(claim.Evidence, "the article's proxy does not fit Workers Free: "+free.Exceeded[0])
	}
	claim.Evidence = append(claim.Evidence, fmt.Sprintf("the article's backend of 2 M function calls a month costs %s on Convex Starter and %s on Professional: the article's table prices it at Pro's $25", starter.Total, pro.Total))
	claim.Caveats = append(claim.Caveats, "prices from the dated catalogs in costmodel/pricing; items marked unsure there are unsure here")
	return claim, nil
}

func ratText(r *big.Rat) string {
	if r == nil {
		return "not metered"
	}
	f, _ := r.Float64()
	return fmt.Sprintf("%.4g", f)
}
