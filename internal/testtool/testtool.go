// Package testtool is the one place tests ask for something outside the
// repository (a program, a file of the system, the network): a missing one
// skips the test on a developer's machine and fails it when CI=true, where
// .ci/run must have provided it.
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
			Missing(t, p+" is missing: apt-get install "+install)
		}
	}
}

// Have reports whether every program is on PATH, for a test that checks
// less without them. When CI=true a missing one also fails t, without
// stopping it; elsewhere it is logged.
func Have(t testing.TB, install string, programs ...string) bool {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			msg := p + " is missing: apt-get install " + install
			if ci() {
				t.Error(msg)
			} else {
				t.Log(msg + "; checking less")
			}
			return false
		}
	}
	return true
}

// Missing skips t, or fails it when CI=true, with msg: what is missing and
// how to get it.
func Missing(t testing.TB, msg string) {
	t.Helper()
	if ci() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func ci() bool { return os.Getenv("CI") == "true" }
