package costmodel

import (
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// newTable is an ASCII table with the header as written (no upper-casing)
// and the given column alignments.
func newTable(w io.Writer, header []string, align []tw.Align) *tablewriter.Table {
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
	)
	t.Header(header)
	return t
}

var billAlign = []tw.Align{tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignLeft, tw.AlignRight}

// WriteBills renders each bill as a table, one line per billable unit
// (unit, units, free, included, billable, price, amount), with its unsure
// marks, caps, assumptions and warnings under it; then the cheapest plan
// per platform of each catalog.
func WriteBills(w io.Writer, bills []*MonthlyBill) error {
	for _, b := range bills {
		if err := writeBill(w, b); err != nil {
			return err
		}
	}
	return WriteCheapest(w, bills)
}

func writeBill(w io.Writer, b *MonthlyBill) error {
	scale := ""
	if b.Multiplier.Cmp(big.NewRat(1, 1)) != 0 {
		scale = " x" + formatQty(b.Multiplier)
	}
	fmt.Fprintf(w, "\n%s/%s (%s): profile %s%s, %s prices as of %s\n", b.Catalog.Name, b.Plan.Name, b.Plan.Title,
		b.Profile.Name, scale, b.Catalog.Currency, b.Catalog.AsOf.Format(time.DateOnly))
	t := newTable(w, []string{"unit", "units", "free", "included", "billable", "price", "amount"}, billAlign)
	rows := [][]string{{"base fee", "", "", "", "", "", b.BaseFee.String()}}
	for _, l := range b.Lines {
		rows = append(rows, lineCells(l, b.Catalog.Currency))
	}
	status := b.Total.String()
	if !b.Feasible {
		status += " (does not fit)"
	}
	rows = append(rows, []string{"total", "", "", "", "", "", status})
	if err := t.Bulk(rows); err != nil {
		return err
	}
	if err := t.Render(); err != nil {
		return err
	}
	return writeBillNotes(w, b)
}

func lineCells(l Line, currency string) []string {
	units := formatQty(l.Units)
	if l.Converted != nil && l.Converted.Sign() > 0 {
		units += " (" + formatQty(l.Converted) + " converted)"
	}
	switch {
	case l.BilledAs != "":
		return []string{l.Unit, units, "", "", "", "as " + l.BilledAs + mark(l.Unsure), "(on " + l.BilledAs + ")"}
	case l.NotPriced:
		return []string{l.Unit, units, "", "", "", "not priced", l.Amount.String()}
	case l.NotOffered:
		return []string{l.Unit, units, "", "", "", "not offered", "DOES NOT FIT"}
	}
	free := dash(l.Free)
	if l.Price.FreePer == "day" && l.Free.Sign() > 0 {
		free += " (" + formatQty(l.Price.Free) + "/day)"
	}
	amount := l.Amount.String()
	if l.OverCap != nil {
		amount = "OVER CAP"
	}
	return []string{l.Unit, units, free, dash(l.Included), formatQty(l.Billable), formatPrice(l.Price, currency) + mark(l.Unsure), amount}
}

func mark(unsure bool) string {
	if unsure {
		return " ?"
	}
	return ""
}

func dash(q *big.Rat) string {
	if q == nil || q.Sign() == 0 {
		return "-"
	}
	return formatQty(q)
}

func writeBillNotes(w io.Writer, b *MonthlyBill) error {
	var out strings.Builder
	if b.Plan.Note != "" {
		fmt.Fprintf(&out, "  %s: %s\n", b.Plan.Title, b.Plan.Note)
	}
	for _, e := range b.Exceeded {
		fmt.Fprintf(&out, "  DOES NOT FIT: %s\n", e)
	}
	for _, warn := range b.Warnings {
		fmt.Fprintf(&out, "  WARNING: %s\n", warn)
	}
	var unsure []string
	for _, l := range b.Lines {
		if l.Unsure && l.Note != "" {
			unsure = append(unsure, fmt.Sprintf("%s: %s", l.Unit, l.Note))
		}
	}
	if len(unsure) > 0 {
		out.WriteString("  ? marks a figure the sources leave unsure:\n")
		for _, u := range unsure {
			fmt.Fprintf(&out, "    - %s\n", u)
		}
	}
	if len(b.Operations) > 0 {
		title := b.Plan.Platform
		if m, err := mappingFor(b.Plan.Platform); err == nil && m.Title != "" {
			title = m.Title
		}
		fmt.Fprintf(&out, "  units per operation on %s (~ an estimate; `versus cost --run` shows measured ones):\n", title)
		for _, oc := range b.Operations {
			parts := make([]string, 0, len(oc.Units))
			for _, uq := range oc.Units {
				parts = append(parts, formatQty(uq.Qty)+" "+uq.Unit)
			}
			what := strings.Join(parts, " + ")
			if what == "" {
				what = "nothing billable"
			}
			est := ""
			if oc.Unsure {
				est = "~ "
			}
			fmt.Fprintf(&out, "    - %s x %s: %s%s\n", oc.Name, formatQty(oc.Count), est, what)
		}
	}
	if len(b.Assumptions) > 0 {
		out.WriteString("  assumptions:\n")
		for _, a := range b.Assumptions {
			fmt.Fprintf(&out, "    - %s\n", a)
		}
	}
	_, err := io.WriteString(w, out.String())
	return err
}

// CheapestPlans returns, for each catalog and platform in the order the
// bills come, the cheapest bill among plans that fit the workload (nil
// entries are left out; a platform none of whose plans fit is absent).
func CheapestPlans(bills []*MonthlyBill) []*MonthlyBill {
	var out []*MonthlyBill
	index := map[string]int{}
	for _, b := range bills {
		if !b.Feasible {
			continue
		}
		key := b.Catalog.Name + "\x00" + b.Plan.Platform
		i, seen := index[key]
		if !seen {
			index[key] = len(out)
			out = append(out, b)
			continue
		}
		if b.Total < out[i].Total {
			out[i] = b
		}
	}
	return out
}

// WriteCheapest renders every bill's total, marking the cheapest plan
// that fits per catalog and platform.
func WriteCheapest(w io.Writer, bills []*MonthlyBill) error {
	if len(bills) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\nmonthly totals, profile %s:\n", bills[0].Profile.Name)
	cheapest := map[*MonthlyBill]bool{}
	for _, b := range CheapestPlans(bills) {
		cheapest[b] = true
	}
	t := newTable(w, []string{"catalog", "platform", "plan", "total", "fits", ""},
		[]tw.Align{tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignLeft, tw.AlignLeft})
	var rows [][]string
	for _, b := range bills {
		fits := "yes"
		if !b.Feasible {
			fits = "no"
		}
		note := ""
		if cheapest[b] {
			note = "cheapest " + b.Plan.Platform + " plan in " + b.Catalog.Name
		}
		total := b.Total.String()
		if b.Unsure() {
			total += " ?"
		}
		rows = append(rows, []string{b.Catalog.Name, b.Plan.Platform, b.Plan.Name, total, fits, note})
	}
	if err := t.Bulk(rows); err != nil {
		return err
	}
	if err := t.Render(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "  ? the total rests on at least one unsure figure or estimate (see each bill).")
	return err
}

// WriteBreakEven renders break-even results, one paragraph each.
func WriteBreakEven(w io.Writer, results []*BreakEvenResult) error {
	for _, r := range results {
		if _, err := io.WriteString(w, r.Describe()+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// Describe says where the two plans cross, or that they do not.
func (r *BreakEvenResult) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "break-even %s vs %s, profile %s, %gx to %gx:\n", r.A, r.B, r.Profile, r.Range.Min, r.Range.Max)
	fmt.Fprintf(&b, "  at %gx: %s vs %s; at %gx: %s vs %s\n", r.Range.Min, fitOr(r.AtMin[0], r.FitsAtMin[0]), fitOr(r.AtMin[1], r.FitsAtMin[1]),
		r.Range.Max, fitOr(r.AtMax[0], r.FitsAtMax[0]), fitOr(r.AtMax[1], r.FitsAtMax[1]))
	switch {
	case !r.BothFit:
		fmt.Fprintf(&b, "  no multiplier in range where both plans fit the traffic\n")
	case len(r.Crossings) == 0 && r.Cheaper == "":
		fmt.Fprintf(&b, "  no crossing in range: they cost the same wherever both fit\n")
	case len(r.Crossings) == 0:
		fmt.Fprintf(&b, "  no crossing in range: %s is cheaper wherever both fit\n", r.Cheaper)
	}
	for _, c := range r.Crossings {
		fmt.Fprintf(&b, "  crosses at %gx the profile (%s vs %s): %s cheaper below, %s above\n",
			c.Multiplier, c.A, c.B, orTie(c.CheaperBelow), orTie(c.CheaperAbove))
	}
	for _, l := range r.Limits {
		fmt.Fprintf(&b, "  limit: %s\n", l)
	}
	return b.String()
}

func fitOr(m Micro, fits bool) string {
	if !fits {
		return "does not fit"
	}
	return m.String()
}

func orTie(s string) string {
	if s == "" {
		return "neither (tie)"
	}
	return s
}

// WriteMeasured renders, per scenario and target of a run, the units the
// target metered beside those the mapping declares, with the difference.
func WriteMeasured(w io.Writer, list []OperationUnits) error {
	for _, ou := range list {
		params := ""
		if ou.Params != "" {
			params = " [" + ou.Params + "]"
		}
		var ops []string
		for _, op := range ou.Operations {
			ops = append(ops, fmt.Sprintf("%s %s", groupDigits(fmt.Sprint(op.Count)), op.Name))
		}
		platform := ou.Platform
		if platform == "" {
			platform = "no platform"
		}
		fmt.Fprintf(w, "\nscenario %s%s on %s (%s): %s\n", ou.Scenario, params, ou.Target, platform, strings.Join(ops, ", "))
		if len(ou.Units) > 0 {
			per := "op"
			if len(ou.Operations) > 0 {
				per = ou.Operations[0].Name
			}
			t := newTable(w, []string{"unit", "declared", "measured", "declared/" + per, "measured/" + per, "diff"},
				[]tw.Align{tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight})
			var rows [][]string
			for _, u := range ou.Units {
				diff := "-"
				if pct, ok := u.DiffPercent(); ok {
					diff = fmt.Sprintf("%+.1f%%", pct)
				}
				rows = append(rows, []string{u.Unit, formatQty(u.Declared), optQty(u.Measured), optQty(u.DeclaredPerOp), optQty(u.MeasuredPerOp), diff})
			}
			if err := t.Bulk(rows); err != nil {
				return err
			}
			if err := t.Render(); err != nil {
				return err
			}
		}
		for _, n := range ou.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
	}
	return nil
}

func optQty(q *big.Rat) string {
	if q == nil {
		return "not metered"
	}
	return formatQty(q)
}
