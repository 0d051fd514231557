package bundler_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/bundler/internal/buildtest"
	"github.com/bundlekit/bundle/internal/testfs"
)

// TestReproducible builds the same commit again, from other folders and
// one target at a time, and compares it with TestAcceptance's builds:
// every artifact, the NSIS installers, the MSI and the universal dmg
// included, is the same bytes.
func TestReproducible(t *testing.T) {
	t.Parallel()
	checksums := func(dist string) string {
		data, err := os.ReadFile(filepath.Join(dist, bundler.ChecksumsName))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}

	hello := buildtest.Hello(t)
	again := buildOK(t, bundler.BuildOptions{
		Config: filepath.Join(testfs.CopyProject(t, "examples/hello"), "bundle.yaml"), Dist: t.TempDir(), Parallel: 1,
	})
	if a, b := checksums(hello.Dist), checksums(again.Dist); strings.Count(a, "\n") < 20 || a != b {
		t.Errorf("examples/hello: checksums differ:\n%s\n%s", a, b)
	}

	universal := universalBuild(t)
	dir := filepath.Join(t.TempDir(), "hello")
	if err := universalProject(t, dir); err != nil {
		t.Fatal(err)
	}
	again = buildOK(t, bundler.BuildOptions{
		Config: filepath.Join(dir, "bundle.yaml"), Dist: t.TempDir(), Parallel: 1, Targets: []string{"darwin/amd64", "darwin/arm64"},
	})
	if a, b := checksums(universal.Dist), checksums(again.Dist); strings.Count(a, "\n") != 5 || a != b {
		t.Errorf("universal darwin: checksums differ:\n%s\n%s", a, b)
	}
}

// TestDistOfSameVersion rebuilds one format into a dist that holds a whole
// build of the same version: the other artifacts are kept and listed.
// Another version needs Clean, which removes the old one's.
func TestDistOfSameVersion(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "testdata/project")
	data, err := os.ReadFile(filepath.Join(testfs.RepoRoot(t), "testdata/config/good/full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "bundle.yaml")
	if err := os.WriteFile(cfg, data, 0o644); err != nil {
		t.Fatal(err)
	}
	dist := filepath.Join(dir, "dist")
	first := buildOK(t, bundler.BuildOptions{Config: cfg, Dist: dist})
	second := buildOK(t, bundler.BuildOptions{Config: cfg, Dist: dist, Formats: []string{"zip"}})
	if len(first.Result.Manifest.Artifacts) < 2 || fmt.Sprint(first.Result.Manifest) != fmt.Sprint(second.Result.Manifest) {
		t.Errorf("manifest changed:\n%v\n%v", first.Result.Manifest, second.Result.Manifest)
	}
	if m, err := bundler.ReadManifest(dist); err != nil || fmt.Sprint(*m) != fmt.Sprint(first.Result.Manifest) {
		t.Errorf("artifacts.json after the zip alone: %v %v", m, err)
	}

	b := buildtest.Build(context.Background(), t, bundler.BuildOptions{Config: cfg, Dist: dist, Version: "1.1.0"})
	if bundler.ExitCode(b.Err) != bundler.ExitUsage || !strings.Contains(fmt.Sprint(b.Err), "pass --clean") {
		t.Errorf("another version into the same dist: exit %d %v", bundler.ExitCode(b.Err), b.Err)
	}
	buildOK(t, bundler.BuildOptions{Config: cfg, Dist: dist, Version: "1.1.0", Clean: true})
	entries, err := os.ReadDir(dist)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), "1.0.0") {
			t.Errorf("Clean left %s", e.Name())
		}
	}
}
