package artifact

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// putInput writes a finished --split build's dist holding files, each
// with its content.
func putInput(t *testing.T, dir string, files ...string) {
	t.Helper()
	m := Manifest{Name: "App", Version: "1.0.0", Partial: true}
	for _, f := range files {
		put(t, filepath.Join(dir, f), "content of "+f)
		sum, err := SHA256File(dir, f)
		if err != nil {
			t.Fatal(err)
		}
		m.Artifacts = append(m.Artifacts, Artifact{Path: f, SHA256: sum, Size: int64(len("content of " + f))})
	}
	if err := m.write(dir); err != nil {
		t.Fatal(err)
	}
}

// TestMergeRefusals gives merge inputs it must refuse: each is refused
// with exit 2 and a line that says why, and no input changes.
func TestMergeRefusals(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, base string) (inputs []string, dist string)
		want  string
	}{
		{"dist is a link to an input", func(t *testing.T, base string) ([]string, string) {
			in := filepath.Join(base, "dist-linux")
			putInput(t, in, "app_linux.tar.gz")
			link(t, in, filepath.Join(base, "dist"))
			return []string{in}, filepath.Join(base, "dist")
		}, "is both an input and --dist"},
		{"an input through a linked folder, dist by its real path", func(t *testing.T, base string) ([]string, string) {
			real := filepath.Join(base, "real")
			putInput(t, filepath.Join(real, "dist"), "app_linux.tar.gz")
			link(t, real, filepath.Join(base, "work"))
			return []string{filepath.Join(base, "work", "dist")}, filepath.Join(real, "dist")
		}, "is both an input and --dist"},
		{"an input that is dist with a trailing dot", func(t *testing.T, base string) ([]string, string) {
			in := filepath.Join(base, "dist")
			putInput(t, in, "app_linux.tar.gz")
			return []string{in + "/."}, in
		}, "is both an input and --dist"},
		{"names that differ only in case", func(t *testing.T, base string) ([]string, string) {
			putInput(t, filepath.Join(base, "a"), "App.tar.gz")
			putInput(t, filepath.Join(base, "b"), "app.tar.gz")
			return []string{filepath.Join(base, "a"), filepath.Join(base, "b")}, filepath.Join(base, "dist")
		}, "differ only in case"},
		{"names that differ only in Unicode normalization", func(t *testing.T, base string) ([]string, string) {
			putInput(t, filepath.Join(base, "a"), "caf\u00e9.tar.gz")
			putInput(t, filepath.Join(base, "b"), "cafe\u0301.tar.gz")
			return []string{filepath.Join(base, "a"), filepath.Join(base, "b")}, filepath.Join(base, "dist")
		}, "differ only in case"},
		{"a name with a line break", func(t *testing.T, base string) ([]string, string) {
			in := filepath.Join(base, "a")
			putInput(t, in, "app.tar.gz")
			data, _ := os.ReadFile(filepath.Join(in, ManifestName))
			put(t, filepath.Join(in, ManifestName), strings.Replace(string(data), `"app.tar.gz"`, `"app.tar.gz\nd41d8  evil"`, 1))
			return []string{in}, filepath.Join(base, "dist")
		}, "is not a file name in dist"},
	}
	for _, tt := range tests {
		for _, clean := range []bool{false, true} {
			t.Run(tt.name+map[bool]string{true: " --clean", false: ""}[clean], func(t *testing.T) {
				base := t.TempDir()
				inputs, dist := tt.setup(t, base)
				before := tree(t, base)
				_, err := Merge(context.Background(), inputs, dist, MergeOptions{Clean: clean})
				if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
					t.Errorf("got %v, want exit 2 and one line saying %q", err, tt.want)
				}
				if after := tree(t, base); after != before {
					t.Errorf("merge changed files:\nbefore:\n%s\nafter:\n%s", before, after)
				}
			})
		}
	}
}

// TestMergeInputRewritten rewrites an input after merge checked it, while
// merge waits for dist's lock: the copy's own hash catches it, and dist
// gets no manifest and no copy of that file.
func TestMergeInputRewritten(t *testing.T) {
	base := t.TempDir()
	in := filepath.Join(base, "in")
	putInput(t, in, "a.tar.gz", "b.tar.gz")
	dist := filepath.Join(base, "dist")
	_, held, err := PrepareDist(context.Background(), dist, DistOptions{Name: "App", Version: "1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error)
	go func() {
		_, err := Merge(context.Background(), []string{in}, dist, MergeOptions{Waiting: func() {
			put(t, filepath.Join(in, "b.tar.gz"), "rewritten")
			held.Close()
		}})
		errc <- err
	}()
	err = <-errc
	if err == nil || !strings.Contains(err.Error(), "b.tar.gz changed in "+in+" while merge copied it") {
		t.Fatalf("merge of a rewritten input: %v", err)
	}
	for _, n := range []string{ManifestName, ChecksumsName, "b.tar.gz"} {
		if _, err := os.Lstat(filepath.Join(dist, n)); err == nil {
			t.Errorf("dist holds %s after a failed merge", n)
		}
	}
	put(t, filepath.Join(in, "b.tar.gz"), "content of b.tar.gz")
	m, err := Merge(context.Background(), []string{in}, dist, MergeOptions{})
	if err != nil || len(m.Artifacts) != 2 {
		t.Fatalf("merge again: %v %+v", err, m)
	}
}
