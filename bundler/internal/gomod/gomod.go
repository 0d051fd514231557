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
	"strings"

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
	cmd := proc.Command(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("go list %s: %s", strings.Join(patterns, " "), firstLine(msg))
	}
	var pkgs []Package
	dec := json.NewDecoder(&stdout)
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

// GoVersion returns the output of `go version`, such as "go1.26.8 linux/amd64".
func GoVersion(ctx context.Context) (string, error) {
	out, err := proc.Command(ctx, "go", "version").Output()
	if err != nil {
		return "", fmt.Errorf("go version: %w (is Go installed and on PATH? see https://go.dev/doc/install)", err)
	}
	return strings.TrimPrefix(strings.TrimSpace(string(out)), "go version "), nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
