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

// hello is `make demo` (every target and format of examples/hello, from a
// copy of it, with --clean), built once per test binary, on first use, for
// the tests that need it. Its dist is in TestMain's folder, as no single
// test owns it: readers must not change it.
var hello struct {
	once sync.Once
	dist string
	out  result
	err  error
}

// helloBuild returns hello's dist and output, building it first if no test
// has.
func helloBuild(t *testing.T) (dist string, r result) {
	t.Helper()
	hello.once.Do(func() {
		work, err := os.MkdirTemp(filepath.Dir(bundleBin), "shared-")
		if err == nil {
			err = os.CopyFS(filepath.Join(work, "hello"), os.DirFS(filepath.Join(testfs.RepoRoot(t), "examples/hello")))
		}
		if err != nil {
			hello.err = err
			return
		}
		hello.dist = filepath.Join(work, "dist")
		hello.out, hello.err = runProgram(filepath.Join(work, "hello"), []string{epoch}, bundleBin, "build", "--dist", hello.dist, "--clean")
		if hello.err == nil && hello.out.code != 0 {
			hello.err = fmt.Errorf("exit %d\n%s%s", hello.out.code, hello.out.stdout, hello.out.stderr)
		}
	})
	if hello.err != nil {
		t.Fatalf("make demo: %v", hello.err)
	}
	return hello.dist, hello.out
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
