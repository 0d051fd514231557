// Package testtool is the one place tests ask for an external program:
// a missing tool skips the test on a developer's machine and fails it when
// CI=true, where .ci/run must have installed it.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Need skips t (or fails it when CI=true) unless every program is on PATH.
// install names the Debian packages that provide them.
func Need(t testing.TB, install string, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			msg := p + " is missing: apt-get install " + install
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}
