// Package testbin builds the bundle command for tests that run it as a
// user or a script would: as a separate process, with its own exit code and
// output. A test binary builds it once, in TestMain (Main does it all).
package testbin

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// pkg is the bundle command's package; naming it by import path builds it
// from any folder of the module.
const pkg = "github.com/bundlekit/bundle/cmd/bundle"

// Build compiles the bundle command into dir and returns its path.
func Build(dir string) (string, error) {
	name := "bundle"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	bin := filepath.Join(dir, name)
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		return "", fmt.Errorf("build bundle: %v\n%s", err, out)
	}
	return bin, nil
}

// jailPkg is the jail that every test runs programs in that may start
// copies of themselves (runtimehooks/internal/jail).
const jailPkg = "github.com/bundlekit/bundle/runtimehooks/internal/jail"

// Jail compiles the jail into dir and checks that it can jail a program
// here: it needs root or a pids cgroup it can make. The error of a jail
// that cannot jail says so, for testtool.Missing.
func Jail(dir string) (string, error) {
	bin := filepath.Join(dir, "jail")
	if out, err := exec.Command("go", "build", "-o", bin, jailPkg).CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the jail: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "--", "true").CombinedOutput(); err != nil {
		return "", fmt.Errorf("%w: the jail cannot run a program here (%v: %s); run as root, or where a pids cgroup can be made", ErrCannotJail, err, bytes.TrimSpace(out))
	}
	return bin, nil
}

// ErrCannotJail says that this machine cannot jail programs.
var ErrCannotJail = errors.New("cannot jail")

// Main is a TestMain for a package whose tests run bundle: it builds the
// command into a temporary folder, sets *bin to its path, runs the tests,
// removes the folder and exits with the tests' code.
func Main(m *testing.M, bin *string) {
	os.Exit(run(m, bin))
}

func run(m *testing.M, bin *string) int {
	dir, err := os.MkdirTemp("", "bundle-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if *bin, err = Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// OnPath is a PATH entry for a program's environment with bin's folder
// first, so that scripts which run `bundle` run bin.
func OnPath(bin string) string {
	return "PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH")
}

// Result is one run of a program.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// Run runs a program in dir with this process's environment plus env and
// returns its exit code and output. A program that runs and fails is a
// Result; the error is for one that could not be started.
func Run(dir string, env []string, name string, args ...string) (Result, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return Result{Code: ee.ExitCode(), Stdout: stdout.String(), Stderr: stderr.String()}, nil
	case err != nil:
		return Result{}, fmt.Errorf("run %s: %w", name, err)
	}
	return Result{Stdout: stdout.String(), Stderr: stderr.String()}, nil
}
