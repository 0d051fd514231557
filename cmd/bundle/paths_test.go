package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testfs"
)

// TestProjectPaths builds a project from folders whose paths the go
// command handles badly. A path it cannot carry is refused before anything
// is compiled; one it can carries the runtime hook into the executable,
// which inspect then shows.
func TestProjectPaths(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("very-long-folder-name-", 4)
	tests := []struct {
		name   string
		folder []string // the project's folder below a temporary one
		want   string   // what the one line of a refusal says; "" builds
	}{
		{"not UTF-8", []string{"caf\xe9"}, "holds bytes that are not UTF-8"},
		{"line break", []string{"one\ntwo"}, "holds a control character (U+000A)"},
		{"carriage return", []string{"one\rtwo"}, "holds a control character (U+000D)"},
		{"long", []string{long, long, long, long, long}, ""},
		{"spaces and quotes", []string{`my "app" 'v2' $HOME`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(append([]string{t.TempDir()}, tt.folder...)...)
			if err := os.CopyFS(dir, os.DirFS(filepath.Join(testfs.RepoRoot(t), "testdata/project"))); err != nil {
				t.Fatal(err)
			}
			testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), "testdata/config/good/full.yaml"), filepath.Join(dir, "bundle.yaml"))
			r := runBundle(t, dir, []string{epoch}, "build", "--target", "linux/amd64", "--format", "tar.gz", "--strict")
			if tt.want != "" {
				if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "move or rename the project's folder") {
					t.Fatalf("exit %d, want 2 and one line saying %q:\n%s", r.code, tt.want, r.stderr)
				}
				if _, err := os.Stat(filepath.Join(dir, "dist")); !os.IsNotExist(err) {
					t.Errorf("a refused build made dist: %v", err)
				}
				return
			}
			if r.code != 0 {
				t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			out := runBundle(t, dir, nil, "inspect", filepath.Join(dir, "dist", "fixture_1.0.0_linux_amd64.tar.gz"))
			if out.code != 0 || !strings.Contains(out.stdout, "hook        present guard=warn") {
				t.Errorf("inspect exit %d:\n%s%s", out.code, out.stdout, out.stderr)
			}
		})
	}
}

// TestHookMissingFailsBuild runs bundle with a go command that drops
// -overlay from go build, as a wrapper or an odd toolchain might: the
// executable links without the runtime hook, and the build must fail on its
// missing stamp instead of shipping it.
func TestHookMissingFailsBuild(t *testing.T) {
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	testfs.WriteFile(t, filepath.Join(bin, "go"), `#!/bin/sh
if [ "$1" = build ]; then
	shift
	for a in "$@"; do
		shift
		case "$a" in -overlay=*) ;; *) set -- "$@" "$a" ;; esac
	done
	exec `+goBin+` build "$@"
fi
exec `+goBin+` "$@"
`)
	if err := os.Chmod(filepath.Join(bin, "go"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := testfs.CopyProject(t, "testdata/project")
	testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), "testdata/config/good/full.yaml"), filepath.Join(dir, "bundle.yaml"))
	r := runBundle(t, dir, []string{epoch, "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}, "build", "--target", "linux/amd64", "--format", "tar.gz")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "the runtime hook is not in the linked executable") {
		t.Fatalf("exit %d, want 1 and one line:\n%s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "dist")); len(entries) != 0 {
		t.Errorf("dist holds %v", entries)
	}
}
