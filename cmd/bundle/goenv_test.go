package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testfs"
)

// TestMissingGo: a go that is not on PATH, or is there but cannot be
// started, is exit 3 with one line saying which; only the first asks
// whether Go is installed.
func TestMissingGo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		goes string // the file named go on PATH, "" for none
		want string
	}{
		{name: "not on PATH", want: "(is Go installed and on PATH? see https://go.dev/doc/install)"},
		{name: "not a program", goes: "not a program\n", want: ": exec format error; reinstall Go, or put a working go first on PATH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.goes != "" && runtime.GOOS == "windows" {
				t.Skip("Windows runs go.exe, not a file named go")
			}
			dir := testfs.CopyProject(t, "testdata/project")
			testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), "testdata/config/good/minimal.yaml"), filepath.Join(dir, "bundle.yaml"))
			bin := t.TempDir()
			if tt.goes != "" {
				if err := os.WriteFile(filepath.Join(bin, "go"), []byte(tt.goes), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			r := runBundle(t, dir, []string{"PATH=" + bin}, "build", "--version", "1.0.0")
			if r.code != 3 || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "bundle: go version: ") || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, want 3 and one line saying %q:\n%s", r.code, tt.want, r.stderr)
			}
			if tt.goes != "" && strings.Contains(r.stderr, "is Go installed") {
				t.Errorf("a go that is there is reported missing:\n%s", r.stderr)
			}
		})
	}
}

// TestBuildWithoutHome: with HOME unset and neither GOPATH nor GOMODCACHE
// set, go has no module cache, yet `go build` builds a project that needs
// none; so does bundle build, runtime hook (-overlay) and all, writing
// nothing but dist into the project.
func TestBuildWithoutHome(t *testing.T) {
	t.Parallel()
	cache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	// Empty is unset to the go command; the build cache is the test's own,
	// as a user without HOME must set GOCACHE for go build to work at all.
	env := []string{"HOME=", "GOPATH=", "GOMODCACHE=", "XDG_CONFIG_HOME=", "XDG_CACHE_HOME=", "GOCACHE=" + strings.TrimSpace(string(cache))}
	dir := testfs.CopyProject(t, "testdata/project")
	testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), "testdata/config/good/full.yaml"), filepath.Join(dir, "bundle.yaml"))
	goenv := exec.Command("go", "env", "GOMODCACHE")
	goenv.Dir, goenv.Env = dir, append(os.Environ(), env...)
	if out, err := goenv.Output(); err != nil || strings.TrimSpace(string(out)) != "" {
		t.Fatalf("go env GOMODCACHE = %q, %v; want it empty", out, err)
	}
	before := listTree(t, dir)

	r := runBundle(t, dir, append([]string{epoch}, env...), "build", "--target", "linux/amd64", "--format", "tar.gz")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "dist", "fixture_1.0.0_linux_amd64.tar.gz")); err != nil {
		t.Error(err)
	}
	os.RemoveAll(filepath.Join(dir, "dist"))
	if after := listTree(t, dir); after != before {
		t.Errorf("the build wrote into the project outside dist:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
