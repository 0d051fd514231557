package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/testfs"
)

const epoch = "SOURCE_DATE_EPOCH=1767225600"

func TestJSONOutput(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "testdata/project")
	testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), "testdata/config/good/full.yaml"), filepath.Join(dir, "bundle.yaml"))
	r := runBundle(t, dir, []string{epoch}, "build", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var m bundler.Manifest
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	onDisk, _ := os.ReadFile(filepath.Join(dir, "dist", bundler.ManifestName))
	if r.stdout != string(onDisk) {
		t.Errorf("--json output differs from dist/artifacts.json")
	}
	if len(m.Artifacts) != 3 || !strings.Contains(r.stderr, "✓ linux/amd64") { // tar.gz, zip, SBOM
		t.Errorf("artifacts %v; progress on stderr:\n%s", m.Artifacts, r.stderr)
	}

	bad := runBundle(t, dir, nil, "build", "--json", "--version", "x")
	var e struct {
		Error    string `json:"error"`
		ExitCode int    `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(bad.stdout), &e); err != nil || e.ExitCode != 2 || !strings.Contains(e.Error, "--version") {
		t.Errorf("--json error = %q (%v)", bad.stdout, err)
	}
}

// TestBuildSummary: a build into a pipe prints a line per target and
// format, and the summary counts the artifacts, without colour codes.
func TestBuildSummary(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "testdata/project")
	testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), "testdata/config/good/minimal.yaml"), filepath.Join(dir, "bundle.yaml"))
	r := runBundle(t, dir, []string{epoch}, "build", "--version", "1.0.0")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	m := testfs.ReadManifest(t, filepath.Join(dir, "dist"))
	if !strings.Contains(r.stdout, "✓ linux/amd64") || !strings.Contains(r.stdout, fmt.Sprintf("%d artifacts", len(m.Artifacts))) {
		t.Errorf("progress output:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("colour codes written to a pipe:\n%q", r.stdout)
	}
}

// TestFormatSBOMAlone: an SBOM describes an artifact, so --format sbom
// without one is a usage error.
func TestFormatSBOMAlone(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "testdata/project")
	testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), "testdata/config/good/minimal.yaml"), filepath.Join(dir, "bundle.yaml"))
	if r := runBundle(t, dir, []string{epoch}, "build", "--version", "1.0.0", "--format", "sbom"); r.code != 2 {
		t.Errorf("--format sbom alone: exit %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "dist", bundler.ManifestName)); err == nil {
		t.Error("artifacts.json written")
	}
}

func TestCompileErrorExit1(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "testdata/project")
	testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), "testdata/config/good/minimal.yaml"), filepath.Join(dir, "bundle.yaml"))
	testfs.WriteFile(t, filepath.Join(dir, "broken.go"), "package main\n\nfunc broken() { undefinedThing() }\n")
	r := runBundle(t, dir, []string{epoch}, "build", "--version", "1.0.0")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "compile linux/amd64") || !strings.Contains(r.stderr, "undefined: undefinedThing") {
		t.Errorf("stderr does not show the compiler's output:\n%s", r.stderr)
	}
	if m, _ := bundler.ReadManifest(filepath.Join(dir, "dist")); m != nil {
		t.Error("a failed build wrote artifacts.json")
	}
}
