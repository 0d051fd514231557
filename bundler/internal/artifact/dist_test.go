package artifact

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// sandbox is a throwaway folder with a project in it, for dists placed
// around the project.
type sandbox struct {
	base    string // holds everything
	project string // base/project, with go.mod and main.go
	outside string // base/outside.txt, a file no dist may reach
}

func newSandbox(t *testing.T) sandbox {
	t.Helper()
	s := sandbox{base: t.TempDir()}
	s.project = filepath.Join(s.base, "project")
	s.outside = filepath.Join(s.base, "outside.txt")
	put(t, filepath.Join(s.project, "go.mod"), "module example.com/p\n")
	put(t, filepath.Join(s.project, "cmd", "p", "main.go"), "package main\n")
	put(t, s.outside, "keep me")
	return s
}

func put(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func link(t *testing.T, target, path string) {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
}

func putManifest(t *testing.T, dist, version string, paths ...string) {
	t.Helper()
	m := Manifest{Name: "App", Version: version}
	for _, p := range paths {
		m.Artifacts = append(m.Artifacts, Artifact{Path: p})
	}
	data, err := m.JSON()
	if err != nil {
		t.Fatal(err)
	}
	put(t, filepath.Join(dist, ManifestName), string(data))
}

// tree lists every path under dir, links as links, with each regular
// file's content, so a listing shows any deletion or change.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			fmt.Fprintf(&b, "%s -> %s\n", p, target)
		case d.Type().IsRegular():
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, "%s %q\n", p, data)
		default:
			fmt.Fprintf(&b, "%s/\n", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestDistRefusals tries dists bundle must not clean or write: each is
// refused with a usage error naming the folder or file and the fix, and
// nothing in the sandbox changes, with and without --clean. (--dist / is
// tried in a chroot, by cmd/bundle's TestCleanRootInChroot.)
func TestDistRefusals(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, s sandbox) string // returns dist
		want  string
	}{
		{"the project", func(t *testing.T, s sandbox) string { return s.project }, "is the project folder"},
		{"the parent of the project", func(t *testing.T, s sandbox) string { return filepath.Join(s.project, "..") }, "is above the project folder"},
		{"a link to the parent of the project", func(t *testing.T, s sandbox) string {
			d := filepath.Join(s.project, "dist")
			link(t, s.base, d)
			return d
		}, "is above the project folder"},
		{"a link to the project", func(t *testing.T, s sandbox) string {
			d := filepath.Join(s.base, "dist")
			link(t, s.project, d)
			return d
		}, "is the project folder"},
		{"the project through a linked parent", func(t *testing.T, s sandbox) string {
			alias := filepath.Join(s.base, "alias")
			link(t, s.base, alias)
			return alias
		}, "is above the project folder"},
		{"a home folder", func(t *testing.T, s sandbox) string {
			d := filepath.Join(s.base, "home")
			put(t, filepath.Join(d, ".ssh", "id_rsa"), "secret")
			put(t, filepath.Join(d, ".bashrc"), "alias ll='ls -l'")
			return d
		}, "holds .bashrc, which bundle did not write; move it out of dist, or pass another --dist"},
		{"a link to a home folder", func(t *testing.T, s sandbox) string {
			home := filepath.Join(s.base, "home")
			put(t, filepath.Join(home, ".ssh", "id_rsa"), "secret")
			d := filepath.Join(s.project, "dist")
			link(t, home, d)
			return d
		}, "holds .ssh, which bundle did not write"},
		{"a source folder of the project", func(t *testing.T, s sandbox) string {
			return filepath.Join(s.project, "cmd", "p")
		}, "holds main.go, which bundle did not write"},
		{"a foreign file beside bundle's own", func(t *testing.T, s sandbox) string {
			d := filepath.Join(s.base, "dist")
			putManifest(t, d, "1.0.0", "app.tar.gz")
			put(t, filepath.Join(d, "app.tar.gz"), "x")
			put(t, filepath.Join(d, ".x"+TempSuffix), "half")
			put(t, filepath.Join(d, "zz-notes.txt"), "mine")
			put(t, filepath.Join(d, "b-notes.txt"), "mine")
			return d
		}, "holds b-notes.txt, which bundle did not write"},
		{"a manifest that climbs out of dist", func(t *testing.T, s sandbox) string {
			d := filepath.Join(s.base, "dist")
			putManifest(t, d, "1.0.0", "../outside.txt")
			return d
		}, `artifact path "../outside.txt" is not a file name in dist; remove it or pass another --dist`},
		{"a manifest with an absolute path", func(t *testing.T, s sandbox) string {
			d := filepath.Join(s.base, "dist")
			putManifest(t, d, "1.0.0", s.outside)
			return d
		}, "is not a file name in dist"},
		{"a manifest with a path into a folder", func(t *testing.T, s sandbox) string {
			d := filepath.Join(s.base, "dist")
			putManifest(t, d, "1.0.0", "sub/x")
			put(t, filepath.Join(d, "sub", "x"), "x")
			return d
		}, `artifact path "sub/x" is not a file name in dist`},
		{"a manifest that is a link", func(t *testing.T, s sandbox) string {
			d := filepath.Join(s.base, "dist")
			putManifest(t, s.base, "1.0.0", "outside.txt")
			os.MkdirAll(d, 0o755)
			link(t, filepath.Join(s.base, ManifestName), filepath.Join(d, ManifestName))
			return d
		}, "artifacts.json is not a regular file; remove it or pass another --dist"},
		{"a journal that is a link", func(t *testing.T, s sandbox) string {
			d := filepath.Join(s.base, "dist")
			os.MkdirAll(d, 0o755)
			put(t, filepath.Join(s.base, "j"), "App\t1.0.0\n")
			link(t, filepath.Join(s.base, "j"), filepath.Join(d, JournalName))
			return d
		}, ".bundle-journal is not a regular file; remove it or pass another --dist"},
		{"a journal that climbs out of dist", func(t *testing.T, s sandbox) string {
			d := filepath.Join(s.base, "dist")
			put(t, filepath.Join(d, JournalName), "App\t1.0.0\n../outside.txt\n")
			return d
		}, `.bundle-journal lists "../outside.txt", which is not a file name in dist`},
		{"a journal bundle did not write", func(t *testing.T, s sandbox) string {
			d := filepath.Join(s.base, "dist")
			put(t, filepath.Join(d, JournalName), "hello\n")
			return d
		}, ".bundle-journal is not a bundle journal"},
		{"checksums.txt alone", func(t *testing.T, s sandbox) string {
			d := filepath.Join(s.base, "dist")
			put(t, filepath.Join(d, ChecksumsName), "x  y\n")
			return d
		}, "holds checksums.txt, which bundle did not write"},
	}
	for _, tt := range tests {
		for _, clean := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s clean=%v", tt.name, clean), func(t *testing.T) {
				s := newSandbox(t)
				dist := tt.setup(t, s)
				before := tree(t, s.base)
				for _, check := range []func() error{
					func() error { return CheckDist(dist, clean, s.project) },
					func() error {
						_, _, err := PrepareDist(context.Background(), dist, DistOptions{Name: "App", Version: "1.0.0", Clean: clean, Project: s.project})
						return err
					},
				} {
					err := check()
					if err == nil || exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), tt.want) {
						t.Fatalf("error %v (exit %d), want %q with exit 2", err, exitcode.Of(err), tt.want)
					}
					msg := err.Error()
					if clean != strings.HasPrefix(msg, "refusing --clean: ") || strings.Contains(msg, "\n") {
						t.Errorf("message %q", msg)
					}
					if !strings.Contains(msg, fmt.Sprintf("dist folder %q", dist)) && !strings.Contains(msg, dist+string(filepath.Separator)) {
						t.Errorf("message %q does not name dist %s", msg, dist)
					}
				}
				if after := tree(t, s.base); after != before {
					t.Errorf("the sandbox changed:\nbefore:\n%s\nafter:\n%s", before, after)
				}
			})
		}
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range entries {
		n = append(n, e.Name())
	}
	return n
}

// TestCleanRemovesOnlyBundlesFiles cleans a dist holding what bundle
// wrote, including links that lead out of it: the links go, what they
// point to stays.
func TestCleanRemovesOnlyBundlesFiles(t *testing.T) {
	s := newSandbox(t)
	dist := filepath.Join(s.base, "dist")
	putManifest(t, dist, "0.9.0", "app.tar.gz", "app.link", "app.up")
	put(t, filepath.Join(dist, ChecksumsName), "x  app.tar.gz\n")
	put(t, filepath.Join(dist, "app.tar.gz"), "old")
	link(t, s.outside, filepath.Join(dist, "app.link"))
	link(t, s.base, filepath.Join(dist, "app.up"))
	put(t, filepath.Join(dist, JournalName), "App\t0.9.0\napp.rpm\n")
	put(t, filepath.Join(dist, "app.rpm"), "half a build")
	put(t, filepath.Join(dist, ".app.zip.123"+TempSuffix), "half")

	old, j, err := PrepareDist(context.Background(), dist, DistOptions{Name: "App", Version: "1.0.0", Clean: true, Project: s.project})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if old != nil {
		t.Errorf("--clean returned the old manifest")
	}
	if got := names(t, dist); !slices.Equal(got, []string{JournalName}) {
		t.Errorf("dist holds %v after --clean", got)
	}
	if data, err := os.ReadFile(s.outside); err != nil || string(data) != "keep me" {
		t.Errorf("a link's target changed: %q %v", data, err)
	}
	if _, err := os.Stat(filepath.Join(s.project, "go.mod")); err != nil {
		t.Errorf("the project lost a file: %v", err)
	}
}

// TestJournal checks the journal's life: it owns the old artifacts as soon
// as their manifest goes, records an artifact before it appears, is
// replaced rather than written through when a link takes its place, and
// Finish prunes only what it owns.
func TestJournal(t *testing.T) {
	s := newSandbox(t)
	dist := filepath.Join(s.base, "dist")
	putManifest(t, dist, "1.0.0", "app.tar.gz", "app.zip")
	put(t, filepath.Join(dist, ChecksumsName), "")
	put(t, filepath.Join(dist, "app.tar.gz"), "old tar")
	put(t, filepath.Join(dist, "app.zip"), "old zip")

	old, j, err := PrepareDist(context.Background(), dist, DistOptions{Name: "App", Version: "1.0.0", Project: s.project})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if old == nil || len(old.Artifacts) != 2 {
		t.Fatalf("old manifest %v", old)
	}
	journal := func() string {
		data, _ := os.ReadFile(filepath.Join(dist, JournalName))
		return string(data)
	}
	if got := journal(); got != "App\t1.0.0\napp.tar.gz\napp.zip\n" {
		t.Errorf("journal after PrepareDist = %q", got)
	}

	// A link in the journal's place is replaced, never written through.
	os.Remove(filepath.Join(dist, JournalName))
	link(t, s.outside, filepath.Join(dist, JournalName))
	if _, _, err := j.WriteFile("app.deb", func(w io.Writer) error {
		if !strings.Contains(journal(), "app.deb\n") {
			t.Error("app.deb is written before the journal records it")
		}
		_, err := io.WriteString(w, "deb")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(s.outside); string(data) != "keep me" {
		t.Errorf("the journal was written through a link: %q", data)
	}
	if info, err := os.Lstat(filepath.Join(dist, JournalName)); err != nil || !info.Mode().IsRegular() {
		t.Errorf("journal is not a regular file: %v", err)
	}
	if _, _, err := j.WriteFile("../escape", func(io.Writer) error { return nil }); err == nil {
		t.Error("the journal recorded ../escape")
	}

	// A file the journal does not own stays, even when the manifest
	// does not list it; Finish prunes app.zip, which it owns.
	m := Manifest{Name: "App", Version: "1.0.0", Artifacts: []Artifact{{Path: "app.tar.gz"}, {Path: "app.deb"}}}
	if err := m.write(dist); err != nil {
		t.Fatal(err)
	}
	if err := j.Finish(m); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dist); !slices.Equal(got, []string{"app.deb", "app.tar.gz", ManifestName, ChecksumsName}) {
		t.Errorf("after Finish dist holds %v", got)
	}
}

// TestClosedJournal checks what a failed build leaves: the journal stays
// while a file it owns is in dist, so the next build can claim it, and
// goes when there is none.
func TestClosedJournal(t *testing.T) {
	for _, wrote := range []bool{false, true} {
		dist := filepath.Join(t.TempDir(), "dist")
		_, j, err := PrepareDist(context.Background(), dist, DistOptions{Name: "App", Version: "1.0.0"})
		if err != nil {
			t.Fatal(err)
		}
		fill := func(w io.Writer) error { return errors.New("compile failed") }
		if wrote {
			fill = func(w io.Writer) error { return nil }
		}
		j.WriteFile("app.tar.gz", fill)
		j.Close()
		_, err = os.Lstat(filepath.Join(dist, JournalName))
		if kept := err == nil; kept != wrote {
			t.Errorf("wrote=%v: journal kept=%v", wrote, kept)
		}
		// The next build of the same version takes the file as its own.
		if _, j, err := PrepareDist(context.Background(), dist, DistOptions{Name: "App", Version: "1.0.0"}); err != nil {
			t.Errorf("wrote=%v: next build: %v", wrote, err)
		} else {
			j.Close()
		}
	}
}

// TestDistLock checks that a second build into a dist waits for the
// first, says so once, gives up when its context is done, and goes ahead
// once the first is finished.
func TestDistLock(t *testing.T) {
	dist := filepath.Join(t.TempDir(), "dist")
	o := DistOptions{Name: "App", Version: "1.0.0"}
	_, first, err := PrepareDist(context.Background(), dist, o)
	if err != nil {
		t.Fatal(err)
	}

	waited := 0
	o.Waiting = func() { waited++ }
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, _, err := PrepareDist(ctx, dist, o); !errors.Is(err, context.DeadlineExceeded) || waited != 1 {
		t.Fatalf("second build while the first holds dist: %v, waited %d times", err, waited)
	}

	done := make(chan error)
	go func() {
		_, second, err := PrepareDist(context.Background(), dist, o)
		if err == nil {
			second.Close()
		}
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("the second build did not wait: %v", err)
	default:
	}
	if err := first.Finish(Manifest{Name: "App", Version: "1.0.0"}); err != nil {
		t.Fatal(err)
	}
	first.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second build still waits after the first finished")
	}
	if waited != 2 {
		t.Errorf("waiting called %d times, want once per build", waited)
	}
}

// TestMergeLocksAndRefuses checks that bundle merge takes dist's lock like
// a build, and refuses a dist holding files bundle did not write.
func TestMergeLocksAndRefuses(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in")
	put(t, filepath.Join(in, "app.tar.gz"), "tar")
	sum, err := SHA256File(in, "app.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	m := Manifest{Name: "App", Version: "1.0.0", Partial: true, Artifacts: []Artifact{{Path: "app.tar.gz", SHA256: sum, Size: 3}}}
	if err := m.write(in); err != nil {
		t.Fatal(err)
	}

	home := filepath.Join(t.TempDir(), "home")
	put(t, filepath.Join(home, ".bashrc"), "x")
	before := tree(t, home)
	if _, err := Merge(context.Background(), []string{in}, home, MergeOptions{Clean: true}); exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "holds .bashrc, which bundle did not write") {
		t.Errorf("merge --clean into a home folder: %v", err)
	}
	if tree(t, home) != before {
		t.Error("merge changed a home folder")
	}

	dist := filepath.Join(t.TempDir(), "dist")
	_, j, err := PrepareDist(context.Background(), dist, DistOptions{Name: "App", Version: "1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	waited := false
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := Merge(ctx, []string{in}, dist, MergeOptions{Waiting: func() { waited = true }}); !errors.Is(err, context.DeadlineExceeded) || !waited {
		t.Errorf("merge while a build holds dist: %v, waited %v", err, waited)
	}
}
