// Package gomod asks the go command about the user's packages and module
// (`go list -json`), so bundle sees the project exactly as `go build` will.
package gomod

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/proc"
)

// Module is the module a package belongs to.
type Module struct {
	Path      string
	Dir       string
	GoVersion string
	Main      bool
}

// Package is the subset of `go list -json` output bundle uses.
type Package struct {
	Dir        string
	ImportPath string
	Name       string
	Module     *Module
	GoFiles    []string
	CgoFiles   []string
	SysoFiles  []string
	// IgnoredGoFiles are the package's files its build constraints leave
	// out here.
	IgnoredGoFiles []string
	Deps           []string
	Error          *struct{ Err string }
}

// listFields names Package's fields for `go list -json=...`. Listing only
// these spares the go command the staleness check of every dependency
// (hashing each one's sources), which a full -json does and which takes
// seconds on a large app.
const listFields = "Dir,ImportPath,Name,Module,GoFiles,CgoFiles,SysoFiles,IgnoredGoFiles,Deps,Error"

// List runs `go list -e -json` for patterns in dir with env added to the
// environment (GOOS, GOARCH, GOFLAGS, …). Package errors are returned in
// Package.Error rather than failing the call, so the caller can say which
// package is wrong.
func List(ctx context.Context, dir string, env []string, flags []string, patterns ...string) ([]Package, error) {
	args := append([]string{"list", "-e", "-json=" + listFields}, flags...)
	args = append(args, patterns...)
	out, err := run(ctx, "go list "+strings.Join(patterns, " "), dir, env, args...)
	if err != nil {
		return nil, err
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list: decode output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// Env returns the go command's values of the named variables (`go env`) as
// it resolves them in dir with env added to the environment: from there,
// from `go env -w` and from its defaults.
func Env(ctx context.Context, dir string, env []string, names ...string) (map[string]string, error) {
	out, err := run(ctx, "go env", dir, env, append([]string{"env", "-json"}, names...)...)
	if err != nil {
		return nil, err
	}
	values := map[string]string{}
	if err := json.Unmarshal(out, &values); err != nil {
		return nil, fmt.Errorf("go env: decode output: %w", err)
	}
	return values, nil
}

// run runs the go command in dir with env added to the environment and
// returns its standard output. Its error, named what, holds go's message.
func run(ctx context.Context, what, dir string, env []string, args ...string) ([]byte, error) {
	cmd := proc.Command(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := message(stderr.Bytes())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("%s: %s", what, msg)
	}
	return stdout.Bytes(), nil
}

// message is the line of a failed go command's standard error that says
// what is wrong: the first, after the "go: downloading …" lines go prints
// as it fetches a module or toolchain; "" when go wrote nothing else.
func message(stderr []byte) string {
	for line := range strings.Lines(string(stderr)) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "go: downloading ") {
			return line
		}
	}
	return ""
}

// GoVersion returns the output of `go version`, such as "go1.26.8 linux/amd64".
// It is the first go command a build runs, so its error says which way go
// is unusable, with the exit code that fits:
//
//   - no go on PATH: exitcode.Tool, and where to get Go;
//   - a go that cannot be started (not an executable for this machine, not
//     permitted): exitcode.Tool too, as the fix is the same, a working Go;
//   - a go that ran and refused with a "go: " line: exitcode.Config, with
//     that line, because `go version` does nothing but read the user's
//     settings (GOEXPERIMENT, GOFLAGS, GOROOT, `go env -w`) and fetch the
//     toolchain they or go.mod's go line ask for (GOTOOLCHAIN);
//   - a go that crashed or was killed: a plain failure (exit 1), with the
//     first line it wrote.
func GoVersion(ctx context.Context) (string, error) {
	out, err := proc.Command(ctx, "go", "version").Output()
	if err != nil {
		return "", versionError(err)
	}
	return strings.TrimPrefix(strings.TrimSpace(string(out)), "go version "), nil
}

// versionError classifies a failed `go version` as GoVersion says.
func versionError(err error) error {
	var exit *exec.ExitError
	var start *fs.PathError
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return exitcode.Tool(fmt.Errorf("go version: %w (is Go installed and on PATH? see https://go.dev/doc/install)", err))
	case errors.As(err, &exit):
		msg := message(exit.Stderr)
		switch {
		case exit.Exited() && strings.HasPrefix(msg, "go: "):
			return exitcode.Config(fmt.Errorf("go version: %s; fix the setting go names (in the environment, go env -w or go.mod)", msg))
		case msg != "":
			return fmt.Errorf("go version: %w: %s", err, msg)
		}
	case errors.As(err, &start):
		return exitcode.Tool(fmt.Errorf("go version: cannot run %s: %w; reinstall Go, or put a working go first on PATH", start.Path, start.Err))
	}
	return fmt.Errorf("go version: %w", err)
}
