package costmodel

import (
	"fmt"
	"math/big"
	"strings"
)

// Micro is an amount of money in millionths of the currency unit. Each
// bill line is rounded once to Micro; totals add Micro exactly.
type Micro int64

var million = big.NewInt(1_000_000)

// toMicro rounds a non-negative exact amount half up to micro-units.
func toMicro(amount *big.Rat) (Micro, error) {
	scaled := new(big.Rat).Mul(amount, new(big.Rat).SetInt(million))
	// floor(x + 1/2) for x >= 0.
	scaled.Add(scaled, big.NewRat(1, 2))
	q := new(big.Int).Quo(scaled.Num(), scaled.Denom())
	if !q.IsInt64() {
		return 0, fmt.Errorf("amount %s is too large to bill", amount.FloatString(2))
	}
	return Micro(q.Int64()), nil
}

// Dollars is the amount as a float, for plots only.
func (m Micro) Dollars() float64 { return float64(m) / 1e6 }

// Cents rounds half up to whole cents, the precision bills are shown in.
func (m Micro) Cents() int64 {
	if m < 0 {
		return -((-int64(m) + 5_000) / 10_000)
	}
	return (int64(m) + 5_000) / 10_000
}

// String renders the amount to the cent, "$1,234.56". A non-zero amount
// below half a cent reads "<$0.01" so it is not mistaken for nothing.
func (m Micro) String() string {
	if m > 0 && m < 5_000 {
		return "<$0.01"
	}
	c := m.Cents()
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s$%s.%02d", sign, groupDigits(fmt.Sprint(c/100)), c%100)
}

// groupDigits puts thousands separators into a run of digits.
func groupDigits(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	head := len(s) % 3
	if head > 0 {
		b.WriteString(s[:head])
	}
	for i := head; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// formatQty renders a quantity: integers with thousands separators,
// decimals exactly when they have at most six places (0.00128), others to
// four places, and tiny fractions as fractions (1/5760000) so they never
// read as zero.
func formatQty(q *big.Rat) string {
	if q.IsInt() {
		return groupDigits(q.Num().String())
	}
	if s := trimDecimal(q.FloatString(6)); ratEquals(s, q) {
		return groupInt(s)
	}
	if s := trimDecimal(q.FloatString(4)); s != "0" {
		return groupInt(s)
	}
	if r := q.RatString(); len(r) <= 24 {
		return r
	}
	f, _ := q.Float64()
	return fmt.Sprintf("%.4g", f)
}

func trimDecimal(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

func ratEquals(s string, q *big.Rat) bool {
	r, err := parseQuantity(s)
	return err == nil && r.Cmp(q) == 0
}

// groupInt puts separators into the integer part of a decimal.
func groupInt(s string) string {
	intPart, frac, ok := strings.Cut(s, ".")
	if !ok {
		return groupDigits(intPart)
	}
	return groupDigits(intPart) + "." + frac
}

// formatPrice renders a price per quantity: "$0.30/M", "$0.015/GB-month".
func formatPrice(p *Price, currency string) string {
	if p.Capped {
		return "capped"
	}
	sym := "$"
	if currency != "USD" {
		sym = currency + " "
	}
	amount := trimDecimal(p.Amount.FloatString(6))
	if amount == "0" {
		return "free"
	}
	// Money shows at least cents: $2.00, $0.30, $0.015.
	intPart, frac, _ := strings.Cut(amount, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	amount = intPart + "." + frac
	per := p.Per
	u, _ := unitByName(p.Unit)
	switch {
	case per.Cmp(big.NewRat(1, 1)) == 0:
		return sym + amount + "/" + u.Measure
	case per.Cmp(big.NewRat(1_000_000, 1)) == 0:
		return sym + amount + "/M"
	case per.Cmp(big.NewRat(1_000_000_000, 1)) == 0:
		return sym + amount + "/B"
	}
	return sym + amount + "/" + formatQty(per)
}
