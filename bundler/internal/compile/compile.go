// Package compile runs `go build` for one target the way a release needs
// it: reproducible (-trimpath, no build id, no VCS stamp), stripped, for
// the right GOOS/GOARCH, with the user's flags, tags and linker flags.
package compile

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/proc"
)

// Request is one `go build`.
type Request struct {
	Dir     string // where go build runs: the project directory
	Main    string // the main package, relative to Dir ("./cmd/hello")
	Target  platform.Target
	Out     string // the executable to write
	Build   config.Build
	GUI     bool     // link Windows executables for the GUI subsystem
	Version string   // set into Build.VersionVar with -X when that is set
	Overlay string   // a -overlay JSON file, "" for none
	Ldflags []string // linker flags bundle adds (the runtime hook's settings)
}

// Error is a failed compile. Its message holds the compiler's output,
// because that output is what the user needs to fix the build.
type Error struct {
	Target platform.Target
	Err    error
	Output string
}

func (e *Error) Error() string {
	out := strings.TrimSpace(e.Output)
	if out == "" {
		return fmt.Sprintf("compile %s: %v", e.Target, e.Err)
	}
	return fmt.Sprintf("compile %s: %v\n%s", e.Target, e.Err, out)
}

func (e *Error) Unwrap() error { return e.Err }

// Args returns the go command's arguments for r.
func (r Request) Args() []string {
	ld := []string{"-s", "-w", "-buildid="}
	if r.GUI && r.Target.OS == "windows" {
		ld = append(ld, "-H=windowsgui")
	}
	for _, f := range r.Build.Ldflags {
		ld = append(ld, quote(f))
	}
	for _, f := range r.Ldflags {
		ld = append(ld, quote(f))
	}
	if r.Build.VersionVar != "" {
		ld = append(ld, "-X="+r.Build.VersionVar+"="+r.Build.VersionValue(r.Version))
	}
	args := []string{"build", "-ldflags=" + strings.Join(ld, " ")}
	if r.Overlay != "" {
		args = append(args, "-overlay="+r.Overlay)
	}
	args = append(args, PackageFlags(r.Build)...)
	return append(args, "-o", r.Out, r.Main)
}

// PackageFlags are the go command flags that decide how each package is
// compiled. Anything else that compiles the app's packages (the self-exec
// analysis runs `go list -export`) passes the same, so the go build cache
// holds one compile of each package, not two.
func PackageFlags(b config.Build) []string {
	flags := []string{"-trimpath", "-buildvcs=false"}
	if len(b.Tags) > 0 {
		flags = append(flags, "-tags="+strings.Join(b.Tags, ","))
	}
	return append(flags, b.Flags...)
}

// Env returns what r adds to the process's environment: GOOS and GOARCH,
// CGO_ENABLED=0 unless the user set it (cross-compiling with cgo needs a C
// cross-compiler the user must choose), then build.env.
func (r Request) Env() []string {
	env := []string{"GOOS=" + r.Target.OS, "GOARCH=" + r.Target.Arch}
	if _, set := lastValue(r.Build.Env, "CGO_ENABLED"); !set && os.Getenv("CGO_ENABLED") == "" {
		env = append(env, "CGO_ENABLED=0")
	}
	return append(env, r.Build.Env...)
}

// GOARM is the ARM version go build compiles GOARCH=arm for, and where it
// was set: build.env's GOARM (Env appends build.env after the environment,
// so it wins), else the environment's; unset or empty, it is 7, the go
// command's default when it cross-compiles. A GOARM set only with
// `go env -w` is not seen: build.env is the place for it.
func GOARM(b config.Build) (goarm, from string) {
	v, ok := lastValue(b.Env, "GOARM")
	from = "build.env"
	if !ok {
		v, from = os.Getenv("GOARM"), "the environment"
	}
	if v == "" {
		return "7", "Go's default"
	}
	return v, from
}

// Run compiles r.
func Run(ctx context.Context, r Request) error {
	cmd := proc.Command(ctx, "go", r.Args()...)
	cmd.Dir = r.Dir
	cmd.Env = append(cmd.Env, r.Env()...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return &Error{Target: r.Target, Err: err, Output: out.String()}
	}
	return nil
}

// lastValue is key's value in env, the last one when it is set twice, as
// os/exec passes it.
func lastValue(env []string, key string) (value string, ok bool) {
	for _, kv := range env {
		if v, found := strings.CutPrefix(kv, key+"="); found {
			value, ok = v, true
		}
	}
	return value, ok
}

// quote protects a linker flag that holds spaces, in the quoting the go
// command's -ldflags parser understands.
func quote(s string) string {
	if !strings.ContainsAny(s, " \t'\"") {
		return s
	}
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	return `"` + s + `"`
}
