package costmodel

import (
	"math/big"
	"testing"
)

func TestMicro(t *testing.T) {
	cases := []struct {
		amount *big.Rat
		micro  Micro
		shown  string
	}{
		{big.NewRat(0, 1), 0, "$0.00"},
		{big.NewRat(5983296, 10_000_000), 598_330, "$0.60"}, // 0.5983296 rounds half up at the 6th place
		{big.NewRat(1, 2_000_000), 1, "<$0.01"},             // exactly half a micro-dollar rounds up
		{big.NewRat(1, 3_000_000), 0, "$0.00"},              // a third of one rounds down
		{big.NewRat(4999, 1_000_000), 4_999, "<$0.01"},      // below half a cent is not shown as nothing
		{big.NewRat(5, 1000), 5_000, "$0.01"},               // half a cent shows as a cent
		{big.NewRat(123456789, 100), 1_234_567_890_000, "$1,234,567.89"},
	}
	for _, tc := range cases {
		t.Run(tc.amount.RatString()+" is "+tc.shown, func(t *testing.T) {
			m, err := toMicro(tc.amount)
			if err != nil || m != tc.micro || m.String() != tc.shown {
				t.Fatalf("= %d (%s), %v; want %d (%s)", m, m, err, tc.micro, tc.shown)
			}
		})
	}
	t.Run("an amount beyond int64 micro-dollars is an error", func(t *testing.T) {
		huge := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 70))
		if _, err := toMicro(huge); err == nil {
			t.Fatal("no error")
		}
	})
}

func TestFormatQty(t *testing.T) {
	cases := map[string]string{
		"12000000": "12,000,000", "16192/5": "3,238.4", "16/12500": "0.00128", "25/12": "2.0833",
		"1/5760000": "1/5760000", "11624/3125": "3.71968", "1/2": "0.5",
	}
	for in, want := range cases {
		t.Run(in+" reads "+want, func(t *testing.T) {
			q, _ := new(big.Rat).SetString(in)
			if got := formatQty(q); got != want {
				t.Fatalf("= %s", got)
			}
		})
	}
}
