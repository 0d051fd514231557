package feed

import (
	"testing"
)

// TestVersionOrder checks semver.org's precedence example and the forms
// ParseVersion refuses.
func TestVersionOrder(t *testing.T) {
	order := []string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "v1.0.1+build.5", "1.10.0", "2.0.0"}
	for i := range order {
		for j := range order {
			a, err := ParseVersion(order[i])
			if err != nil {
				t.Fatal(err)
			}
			b, _ := ParseVersion(order[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := a.Compare(b); got != want {
				t.Errorf("%s vs %s: %d, want %d", order[i], order[j], got, want)
			}
		}
	}
	for _, bad := range []string{"", "1.0", "1.0.0.0", "01.0.0", "1.0.x", "1.0.0-", "1.0.0-a..b", "1.0.0-ä", "1.0.0-rc.01", "1.0.0+", "1.0.0+a..b"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) took it", bad)
		}
	}
}
