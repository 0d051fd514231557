package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testfs"
)

// TestProgressLines reads what a build prints off a terminal: labelled
// columns, a line when each target starts and ends compiling, one line per
// artifact, the right plural, and the warnings repeated after the summary.
func TestProgressLines(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "examples/respawn") // launches itself: one self-exec warning
	r := runBundle(t, dir, []string{epoch}, "build", "--dist", t.TempDir(), "--target", "linux/amd64", "--format", "tar.gz")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	out := r.stdout
	for _, want := range []string{
		`(?m)^  TARGET +STEP +SIZE  TIME$`,
		`(?m)^· linux/amd64 +compiling$`,
		`(?m)^✓ linux/amd64 +compiled +\d+\.\ds$`,
		`(?m)^✓ linux/amd64 +tar\.gz +[\d.]+ [kM]B  \d+\.\ds$`,
		`(?m)^1 artifact, checksums\.txt and artifacts\.json in `,
		`(?m)^1 warning:\n! main\.go:\d+:\d+: exec\.Command runs the app's own executable`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") || strings.Contains(out, "\r") {
		t.Errorf("terminal control codes in output that is not a terminal:\n%q", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasSuffix(l, " ") {
			t.Errorf("trailing space: %q", l)
		}
	}
}
