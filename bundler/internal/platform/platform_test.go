package platform

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Target
		ok   bool
	}{
		{"linux/amd64", Target{"linux", "amd64"}, true},
		{"darwin/universal", Target{"darwin", "universal"}, true},
		{"linux", Target{"linux", ""}, false},
		{"/amd64", Target{"", "amd64"}, false},
		{"linux/", Target{"linux", ""}, false},
	} {
		got, ok := Parse(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Parse(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if ok && got.String() != tt.in {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), tt.in)
		}
	}
}

// Every target is one the go command knows, of an OS bundle packages.
func TestTargetsAreGoTargets(t *testing.T) {
	out, err := exec.Command("go", "tool", "dist", "list").Output()
	if err != nil {
		t.Fatal(err)
	}
	known := strings.Fields(string(out))
	for _, pair := range Targets() {
		tg, _ := Parse(pair)
		if !slices.Contains(known, pair) || !slices.Contains(OSes(), tg.OS) {
			t.Errorf("target %s: not a pair of go tool dist list for %v", pair, OSes())
		}
	}
	if !slices.IsSorted(Targets()) {
		t.Errorf("Targets() is not sorted: %v", Targets())
	}
}
