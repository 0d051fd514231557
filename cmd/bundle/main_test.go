package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

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
	bundleBin = filepath.Join(dir, "bundle")
	if out, err := exec.Command("go", "build", "-o", bundleBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build bundle: %v\n%s", err, out)
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
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %s: %v", name, err)
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// repoRoot is the top of the bundle repository.
func repoRoot(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// copyProject copies a folder of the repository (such as
// testdata/project) into a fresh temporary folder and returns the copy.
func copyProject(t *testing.T, rel string) string {
	t.Helper()
	src := filepath.Join(repoRoot(t), rel)
	dst := filepath.Join(t.TempDir(), filepath.Base(rel))
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
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
