package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testfs"
)

// TestSplitMerge: three split jobs merged give the same artifacts.json as
// one full build; merging two versions, or one target twice, is refused.
func TestSplitMerge(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "examples/hello")
	// One target of each OS: what is merged is a job per OS.
	formats, split := "tar.gz,zip,sbom", []string{"linux/amd64", "windows/amd64", "darwin/arm64"}
	full := filepath.Join(t.TempDir(), "full")
	if r := runBundle(t, dir, []string{epoch}, "build", "--dist", full, "--target", strings.Join(split, ","), "--format", formats); r.code != 0 {
		t.Fatalf("full build: exit %d\n%s", r.code, r.stderr)
	}
	var parts []string
	for i, targets := range split {
		part := filepath.Join(t.TempDir(), "part", string(rune('a'+i)))
		r := runBundle(t, dir, []string{epoch}, "build", "--split", "--dist", part, "--target", targets, "--format", formats)
		if r.code != 0 {
			t.Fatalf("split %s: exit %d\n%s", targets, r.code, r.stderr)
		}
		if m, _ := os.ReadFile(filepath.Join(part, "artifacts.json")); !strings.Contains(string(m), `"partial": true`) {
			t.Errorf("split manifest is not marked partial:\n%s", m)
		}
		parts = append(parts, part)
	}
	merged := filepath.Join(t.TempDir(), "merged")
	r := runBundle(t, dir, nil, append([]string{"merge", "--dist", merged}, parts...)...)
	if r.code != 0 {
		t.Fatalf("merge: exit %d\n%s", r.code, r.stderr)
	}
	for _, name := range []string{"artifacts.json", "checksums.txt"} {
		a, _ := os.ReadFile(filepath.Join(full, name))
		b, _ := os.ReadFile(filepath.Join(merged, name))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s of the merge differs from the full build:\n%s\n---\n%s", name, a, b)
		}
	}
	testfs.MustRun(t, merged, "sha256sum", "-c", "checksums.txt")

	other := filepath.Join(t.TempDir(), "other")
	if r := runBundle(t, dir, []string{epoch}, "build", "--split", "--version", "1.1.0", "--dist", other, "--target", "linux/amd64", "--format", formats); r.code != 0 {
		t.Fatalf("build 1.1.0: exit %d\n%s", r.code, r.stderr)
	}
	bad := runBundle(t, dir, nil, "merge", "--dist", filepath.Join(t.TempDir(), "x"), parts[0], other)
	if bad.code != 2 || !strings.Contains(bad.stderr, "holds Hello 1.1.0 but") || strings.Count(bad.stderr, "\n") != 1 {
		t.Errorf("two versions: exit %d\n%s", bad.code, bad.stderr)
	}
	dup := runBundle(t, dir, nil, "merge", "--dist", filepath.Join(t.TempDir(), "y"), parts[0], parts[0])
	if dup.code != 2 || !strings.Contains(dup.stderr, "is in both") {
		t.Errorf("duplicate: exit %d\n%s", dup.code, dup.stderr)
	}
}
