package costmodel

import (
	"errors"
	"math/big"
	"testing"
)

// FuzzParseCatalog checks that no input makes the catalog parser panic,
// that every refusal is a FieldError with a line, and that every catalog
// it accepts holds only usable figures.
func FuzzParseCatalog(f *testing.F) {
	for _, name := range []string{"pricing/cloudflare.yaml", "pricing/convex.yaml", "pricing/article.yaml"} {
		data, err := pricingFiles.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(validCatalog))
	f.Add([]byte("catalog: x\nplans: [{name: a, units: {seats: {price: 1/0}}}]"))
	f.Add([]byte("&a [*a]"))
	f.Add([]byte("plans:\n  - !!map {}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCatalog("fuzz.yaml", data)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Line < 1 {
				t.Fatalf("error %T %v: want a FieldError with a line", err, err)
			}
			return
		}
		if c.Name == "" || c.Source == "" || c.AsOf.IsZero() || len(c.Plans) == 0 {
			t.Fatalf("accepted an incomplete catalog: %+v", c)
		}
		for _, p := range c.Plans {
			if p.BaseFee.Sign() < 0 {
				t.Fatalf("negative base fee")
			}
			for _, pr := range p.Prices {
				if pr.Amount == nil || pr.Amount.Sign() < 0 || pr.Per.Sign() <= 0 || pr.Free.Sign() < 0 || pr.Included.Sign() < 0 {
					t.Fatalf("accepted unusable price %+v", pr)
				}
			}
		}
		for _, cv := range c.Conversions {
			if cv.Ratio.Sign() <= 0 {
				t.Fatalf("accepted conversion ratio %s", cv.Ratio.RatString())
			}
		}
	})
}

// FuzzParseProfile checks the profile parser the same way: no panic, a
// located error, or a profile whose every volume is usable.
func FuzzParseProfile(f *testing.F) {
	for _, name := range BuiltinProfiles() {
		data, err := profileFiles.ReadFile("profiles/" + name + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("subscriptions: {subscribers: 1, per_channel: 0, messages_per_subscriber: 1, connects_per_subscriber: 1}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile("fuzz.yaml", data)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Line < 1 {
				t.Fatalf("error %T %v: want a FieldError with a line", err, err)
			}
			return
		}
		for _, v := range p.Volumes(big.NewRat(3, 2)) {
			if v.Qty.Sign() < 0 {
				t.Fatalf("negative volume %s = %s", v.Name, v.Qty.RatString())
			}
		}
	})
}
