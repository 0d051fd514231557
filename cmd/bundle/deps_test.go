package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBundleRunsNoHook: bundle links the feed's layout, never the runtime
// hook or the update client, whose init functions would judge bundle's own
// processes (makensis runs `bundle sign-file`, a descendant of bundle) as
// an app's relaunches.
func TestBundleRunsNoHook(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch dep {
		case "github.com/bundlekit/bundle/runtimehooks/worker", "github.com/bundlekit/bundle/runtimehooks/update":
			t.Errorf("bundle links %s", dep)
		}
	}
}
