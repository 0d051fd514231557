package bundler_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/buildtest"
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
	if a, b := checksums(universal.Dist), checksums(again.Dist); strings.Count(a, "\n") != 6 || a != b {
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

// TestSnapshotReplaced builds into one dist without Clean, in the order a
// user does: a snapshot build is replaced by the release or the next
// snapshot, with one note, and only its files go; a release is never
// replaced by a snapshot without Clean.
func TestSnapshotReplaced(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "examples/hello") // outside git: its snapshots have no commit
	dist := filepath.Join(dir, "dist")
	const note = `replaced the snapshot build Hello %s in dist folder %q (removed only the files bundle wrote)`
	steps := []struct {
		name     string
		snapshot bool
		version  string // --version; "" is bundle.yaml's 1.0.0
		clean    bool
		want     string // the version dist holds afterwards
		replaced string // the snapshot the build says it replaced
		wantErr  string
	}{
		{name: "a snapshot", snapshot: true, want: "1.0.1-snapshot"},
		{name: "the release replaces it", want: "1.0.0", replaced: "1.0.1-snapshot"},
		{name: "a snapshot does not replace the release", snapshot: true, wantErr: "holds Hello 1.0.0, not Hello 1.0.1-snapshot; pass --clean"},
		{name: "unless with Clean", snapshot: true, clean: true, want: "1.0.1-snapshot"},
		{name: "the next snapshot replaces a snapshot", snapshot: true, version: "1.1.0", want: "1.1.1-snapshot", replaced: "1.0.1-snapshot"},
	}
	for _, s := range steps {
		b := buildtest.Build(context.Background(), t, bundler.BuildOptions{
			Config: filepath.Join(dir, "bundle.yaml"), Dist: dist, Snapshot: s.snapshot, Version: s.version, Clean: s.clean,
			Targets: []string{"linux/amd64"}, Formats: []string{"tar.gz"},
		})
		if s.wantErr != "" {
			if bundler.ExitCode(b.Err) != bundler.ExitUsage || !strings.Contains(fmt.Sprint(b.Err), s.wantErr) {
				t.Fatalf("%s: exit %d %v, want exit 2 saying %q", s.name, bundler.ExitCode(b.Err), b.Err, s.wantErr)
			}
			continue
		}
		if b.Err != nil {
			t.Fatalf("%s: %v\n%s", s.name, b.Err, b.Log())
		}
		m := testfs.ReadManifest(t, dist)
		want := []string{bundler.ManifestName, bundler.ChecksumsName}
		for _, a := range m.Artifacts {
			want = append(want, a.Path)
		}
		entries, err := os.ReadDir(dist)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			got = append(got, e.Name())
		}
		if m.Version != s.want || len(m.Artifacts) != 1 || !slices.Equal(got, slices.Sorted(slices.Values(want))) {
			t.Errorf("%s: dist holds %s %v, want %s and only its tar.gz", s.name, m.Version, got, s.want)
		}
		var notes []string
		for _, e := range b.Events {
			if e.Kind == bundler.Noted && strings.HasPrefix(e.Message, "replaced the snapshot") {
				notes = append(notes, e.Message)
			}
		}
		wantNotes := []string{}
		if s.replaced != "" {
			wantNotes = append(wantNotes, fmt.Sprintf(note, s.replaced, dist))
		}
		if !slices.Equal(notes, wantNotes) {
			t.Errorf("%s: notes %q, want %q", s.name, notes, wantNotes)
		}
	}
}
