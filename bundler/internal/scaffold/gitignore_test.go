//go:build unix

package scaffold

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/vcs"
	"github.com/bundlekit/bundle/internal/testgit"
)

// TestIgnoreDist runs IgnoreDist on projects in and out of git with and
// without a .gitignore: it writes or extends one only when dist is not
// ignored yet, keeps what the file held, and never writes through a link
// (git would not read it) or into anything but a regular file. Whatever
// it leaves ignoring dist, git agrees.
func TestIgnoreDist(t *testing.T) {
	// Not parallel: the user's own excludes file must not answer for git.
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	const outside = "outside\n" // what a file beside the project holds
	tests := []struct {
		name    string
		git     bool
		setup   func(t *testing.T, dir string) // the project's .gitignore, if any
		change  string
		refused string
		want    string // .gitignore afterwards, read through any link; "" for none
	}{
		{name: "none", change: GitignoreWritten, want: "/dist/\n"},
		{name: "none in git", git: true, change: GitignoreWritten, want: "/dist/\n"},
		{name: "other rules", setup: gitignore("bin/\n"), change: GitignoreExtended, want: "bin/\n/dist/\n"},
		{name: "no final newline", setup: gitignore("bin/"), change: GitignoreExtended, want: "bin/\n/dist/\n"},
		{name: "empty", setup: gitignore(""), change: GitignoreExtended, want: "/dist/\n"},
		{name: "ignored already", setup: gitignore("*.log\ndist\n"), want: "*.log\ndist\n"},
		{name: "ignored already, with a trailing space", setup: gitignore("/dist/ \r\n"), want: "/dist/ \r\n"},
		{name: "ignored, then not", setup: gitignore("dist/\n!dist/\n"), change: GitignoreExtended, want: "dist/\n!dist/\n/dist/\n"},
		{name: "ignored already in git", git: true, setup: gitignore("dist/*\n"), want: "dist/*\n"},
		{name: "ignored by .git/info/exclude", git: true, setup: func(t *testing.T, dir string) {
			put(t, filepath.Join(dir, ".git", "info", "exclude"), "/dist\n")
		}},
		{name: "other rules in git", git: true, setup: gitignore("node_modules"), change: GitignoreExtended, want: "node_modules\n/dist/\n"},
		{name: "a link inside the project", setup: func(t *testing.T, dir string) {
			put(t, filepath.Join(dir, "config", "ignore"), "bin/\n")
			symlink(t, "config/ignore", filepath.Join(dir, GitignoreName))
		}, refused: "it is a symbolic link, which git does not follow", want: "bin/\n"},
		{name: "a link out of the project", setup: func(t *testing.T, dir string) {
			symlink(t, "../outside", filepath.Join(dir, GitignoreName))
		}, refused: "it is a symbolic link, which git does not follow", want: outside},
		{name: "a link to nothing", setup: func(t *testing.T, dir string) {
			symlink(t, "missing", filepath.Join(dir, GitignoreName))
		}, refused: "it is a symbolic link, which git does not follow"},
		{name: "a folder", setup: func(t *testing.T, dir string) {
			put(t, filepath.Join(dir, GitignoreName, "x"), "x")
		}, refused: "it is a folder, not a regular file"},
		{name: "a named pipe", setup: func(t *testing.T, dir string) {
			if err := syscall.Mkfifo(filepath.Join(dir, GitignoreName), 0o644); err != nil {
				t.Fatal(err)
			}
		}, refused: "it is a named pipe, not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			put(t, filepath.Join(base, "outside"), outside)
			dir := filepath.Join(base, "project")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.git {
				testgit.Run(t, dir, "init", "-q")
			}
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			g, err := IgnoreDist(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			if g.Change != tt.change || g.Refused != tt.refused || g.Path != filepath.Join(dir, GitignoreName) {
				t.Errorf("got %+v, want change %q, refused %q", g, tt.change, tt.refused)
			}
			if got := readIfRegular(t, filepath.Join(dir, GitignoreName)); got != tt.want {
				t.Errorf(".gitignore holds %q, want %q", got, tt.want)
			}
			if got := readIfRegular(t, filepath.Join(base, "outside")); got != outside {
				t.Errorf("the file outside the project holds %q", got)
			}
			if tt.refused != "" {
				return
			}
			// What IgnoreDist read as ignored, or wrote, git reads so too.
			if !tt.git {
				testgit.Run(t, dir, "init", "-q")
			}
			if ignored, ok := vcs.Ignores(context.Background(), dir, "dist/"); !ignored || !ok {
				t.Errorf("git does not ignore dist/ (ok %v)", ok)
			}
		})
	}
}

func gitignore(content string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) { put(t, filepath.Join(dir, GitignoreName), content) }
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

func symlink(t *testing.T, target, path string) {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
}

// readIfRegular reads path through any link, "" when it is missing or not
// a regular file.
func readIfRegular(t *testing.T, path string) string {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() {
		return ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
