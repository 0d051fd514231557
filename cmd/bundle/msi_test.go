package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
)

// msiProject is examples/hello making an MSI (and a zip) for Windows.
func msiProject(t *testing.T) string { return testfs.HelloWith(t, "[zip, msi]", "") }

// TestMSIBadInput: what an MSI cannot hold fails with exit 2, one line
// naming the problem and nothing in dist.
func TestMSIBadInput(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "wixl msitools", "wixl")
	dir := msiProject(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"version", []string{"--target", "windows/amd64", "--version", "256.0.0"},
			"version 256.0.0: MSI ProductVersion allows a major version of at most 255 (limits: major ≤ 255, minor ≤ 255, patch ≤ 65535)"},
		{"arm64", []string{"--target", "windows/arm64"},
			"msi: wixl cannot build arm64 MSI packages; drop msi for windows/arm64 or use nsis"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dist := filepath.Join(t.TempDir(), "dist")
			// --format msi: the zip, made first, would stay in dist.
			r := runBundle(t, dir, []string{epoch}, append([]string{"build", "--dist", dist, "--format", "msi"}, tc.args...)...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "bundle: ") || !strings.Contains(lines[0], tc.want) {
				t.Errorf("stderr %q, want one line with %q", r.stderr, tc.want)
			}
			if tree := listTree(t, dist); strings.Count(tree, "\n") > 1 {
				t.Errorf("files in dist:\n%s", tree)
			}
		})
	}
}
