package costmodel

import (
	"math/rand"
	"testing"
	"time"
)

func TestHangHunt(t *testing.T) {
	seeds := [][]byte{[]byte(validCatalog)}
	for _, n := range []string{"pricing/cloudflare.yaml", "pricing/convex.yaml", "pricing/article.yaml"} {
		d, _ := pricingFiles.ReadFile(n)
		seeds = append(seeds, d)
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		s := append([]byte(nil), seeds[r.Intn(len(seeds))]...)
		for k := 0; k < 1+r.Intn(4); k++ {
			switch r.Intn(3) {
			case 0:
				s[r.Intn(len(s))] = byte(r.Intn(256))
			case 1:
				s = s[:r.Intn(len(s))+1]
			case 2:
				j := r.Intn(len(s))
				s = append(s[:j], append([]byte{"{}[]:,-&*!|>'\"\n #"[r.Intn(17)]}, s[j:]...)...)
			}
		}
		done := make(chan struct{})
		go func() { ParseCatalog("x", s); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Fatalf("hang on %q", s)
		}
	}
}
