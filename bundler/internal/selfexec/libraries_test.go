package selfexec

import (
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

func TestKnownLibrariesTable(t *testing.T) {
	seen := make(map[string]bool)
	for _, l := range knownLibraries {
		if seen[l.path] {
			t.Errorf("%s listed twice", l.path)
		}
		seen[l.path] = true
		if l.guard != "warn" && l.guard != "refuse" {
			t.Errorf("%s: runtime.guard %q is neither warn nor refuse", l.path, l.guard)
		}
		if !strings.Contains(l.fix(), "runtime.guard: "+l.guard) {
			t.Errorf("%s: fix %q does not suggest runtime.guard: %s", l.path, l.fix(), l.guard)
		}
	}
}

func TestLibraryMatches(t *testing.T) {
	tableflip := library{path: "github.com/cloudflare/tableflip"}
	dockerReexec := library{path: "github.com/docker/docker/pkg/reexec"}
	tests := []struct {
		lib     library
		pkgPath string
		want    bool
	}{
		{tableflip, "github.com/cloudflare/tableflip", true},
		{tableflip, "github.com/cloudflare/tableflip/testing", true},
		{tableflip, "github.com/cloudflare/tableflipper", false},
		{dockerReexec, "github.com/docker/docker/pkg/reexec", true},
		{dockerReexec, "github.com/docker/docker/pkg/archive", false},
	}
	for _, tt := range tests {
		if got := tt.lib.matches(&packages.Package{PkgPath: tt.pkgPath}); got != tt.want {
			t.Errorf("%s matches %s = %v, want %v", tt.lib.path, tt.pkgPath, got, tt.want)
		}
	}
}
