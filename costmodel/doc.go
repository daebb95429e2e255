// Package costmodel turns workloads into monthly bills. It owns the pricing
// catalogs (dated, sourced data files in pricing/), the mapping of one
// scenario operation to billable units per platform (operations/), the
// traffic profiles (profiles/), the bills computed from them, the sweep over
// volume, the break-even search, and their rendering.
//
// Money is exact: quantities and prices are math/big rationals, each bill
// line is rounded once to integer micro-dollars, and totals are sums of
// those integers. No float ever carries money; SweepPoint.Dollars is a float
// only for plotting.
//
// Prices never live in code: every figure comes from a YAML file embedded
// with go:embed, or one the user passes with --pricing.
//
// costmodel imports results (to read metered units of a run) and nothing
// else of the project; reports may import costmodel, never the other way.
package costmodel
