package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/bundlekit/bundle/internal/testbin"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/winetest"
)

// bundleBin is the bundle command built once for every test that runs it
// as a user would: as a separate process with its own exit code.
var bundleBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bundle-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if bundleBin, err = testbin.Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	winetest.Shutdown()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one run of the bundle command.
type result struct {
	code           int
	stdout, stderr string
}

// runBundle runs bundle in dir with extra environment variables.
func runBundle(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	return runIn(t, dir, env, bundleBin, args...)
}

// runIn runs a program in dir with extra environment variables and returns
// its exit code and output; only a failure to start it fails the test.
func runIn(t *testing.T, dir string, env []string, name string, args ...string) result {
	t.Helper()
	r, err := runProgram(dir, env, name, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// runProgram is runIn for code that has no test of its own to fail.
func runProgram(dir string, env []string, name string, args ...string) (result, error) {
	r, err := testbin.Run(dir, env, name, args...)
	return result{code: r.Code, stdout: r.Stdout, stderr: r.Stderr}, err
}

// A sharedBuild is one bundle build that several tests read, made at most
// once per test binary, on first use. Its dist is in TestMain's folder, as
// no single test owns it: readers must not change it (copy a file out
// first).
type sharedBuild struct {
	once sync.Once
	dist string
	out  result
	err  error
}

var shared struct {
	mu     sync.Mutex
	builds map[string]*sharedBuild
	// one lets one shared build run at a time: on a cold build cache, two
	// go commands compiling the same packages for the same target at once
	// both do all the work, so the second build waits for the first and
	// finds the packages compiled.
	one sync.Mutex
}

// sharedDist returns the dist and the output of the shared build named
// key; the first caller runs build, which gets a fresh folder of its own
// and returns the dist it built into.
func sharedDist(t *testing.T, key string, build func(work string) (dist string, r result, err error)) (string, result) {
	t.Helper()
	shared.mu.Lock()
	if shared.builds == nil {
		shared.builds = map[string]*sharedBuild{}
	}
	s := shared.builds[key]
	if s == nil {
		s = &sharedBuild{}
		shared.builds[key] = s
	}
	shared.mu.Unlock()
	s.once.Do(func() {
		shared.one.Lock()
		defer shared.one.Unlock()
		work, err := os.MkdirTemp(filepath.Dir(bundleBin), "shared-")
		if err != nil {
			s.err = err
			return
		}
		s.dist, s.out, s.err = build(work)
		if s.err == nil && s.out.code != 0 {
			s.err = fmt.Errorf("exit %d\n%s%s", s.out.code, s.out.stdout, s.out.stderr)
		}
	})
	if s.err != nil {
		t.Fatalf("shared build of %s: %v", key, s.err)
	}
	return s.dist, s.out
}

// helloBuild is `make demo`: every target and format of examples/hello,
// from a copy of it, with --clean. Tests that read such a build use this
// one.
func helloBuild(t *testing.T) (dist string, r result) {
	t.Helper()
	src := filepath.Join(testfs.RepoRoot(t), "examples/hello")
	return sharedDist(t, "make demo", func(work string) (string, result, error) {
		dir := filepath.Join(work, "hello")
		if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
			return "", result{}, err
		}
		dist := filepath.Join(work, "dist")
		r, err := runProgram(dir, []string{epoch}, bundleBin, "build", "--dist", dist, "--clean")
		return dist, r, err
	})
}

// listTree returns every path under dir with its size, "" when dir does
// not exist.
func listTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d\n", p, info.Size())
		return nil
	})
	if os.IsNotExist(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// hostTarget is the GOOS/GOARCH of this machine, for builds the test runs.
func hostTarget() string { return runtime.GOOS + "/" + runtime.GOARCH }
