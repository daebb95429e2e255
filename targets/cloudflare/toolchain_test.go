package cloudflare

import "testing"

func TestNodeVersion(t *testing.T) {
	cases := []struct {
		in           string
		major, minor int
		ok           bool
	}{
		{"v20.20.2", 20, 20, true},
		{"v22.1.0", 22, 1, true},
		{"v18.19.1-nightly", 18, 19, true},
		{"20.3.0", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, c := range cases {
		t.Run("parses "+c.in, func(t *testing.T) {
			major, minor, ok := nodeVersion(c.in)
			if major != c.major || minor != c.minor || ok != c.ok {
				t.Errorf("nodeVersion(%q) = %d, %d, %v", c.in, major, minor, ok)
			}
		})
	}
}
