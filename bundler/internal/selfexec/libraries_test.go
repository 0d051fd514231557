package selfexec

import (
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// TestKnownLibrariesTable: every library says how it starts the app, what
// the default guard does with it, and what to do under refuse; the ones
// the guard's design names are listed.
func TestKnownLibrariesTable(t *testing.T) {
	seen := make(map[string]bool)
	for _, l := range knownLibraries {
		if seen[l.path] {
			t.Errorf("%s listed twice", l.path)
		}
		seen[l.path] = true
		if l.does == "" || l.chain == "" || !strings.Contains(l.fix, "runtime.guard: chain") {
			t.Errorf("%s: does %q, chain %q, fix %q: each must be said, and the fix must name runtime.guard: chain", l.path, l.does, l.chain, l.fix)
		}
	}
	for _, want := range []string{"golang.org/x/telemetry", "github.com/cloudflare/tableflip", "github.com/jpillora/overseer", "github.com/moby/sys/reexec", "github.com/minio/selfupdate"} {
		if !seen[want] {
			t.Errorf("%s is not in the list", want)
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
