package gomod

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// A field of Package that listFields leaves out would stay empty: go list
// -json=... prints only the fields it names.
func TestListFieldsNamePackagesFields(t *testing.T) {
	var want []string
	for f := range reflect.TypeFor[Package]().Fields() {
		want = append(want, f.Name)
	}
	got := strings.Split(listFields, ",")
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("listFields %v, Package has %v", got, want)
	}
}

func TestListReadsTheNamedFields(t *testing.T) {
	pkgs, err := List(t.Context(), ".", nil, nil, ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 1 {
		t.Fatalf("%d packages", len(pkgs))
	}
	p := pkgs[0]
	if p.Name != "gomod" || p.Module == nil || !p.Module.Main || !slices.Contains(p.GoFiles, "gomod.go") || !slices.Contains(p.Deps, "os/exec") || p.Error != nil {
		t.Errorf("go list gave %+v", p)
	}
}

// TestGoVersionErrors: each way go can fail `go version` gets its own
// message and exit code; only a go that is not on PATH asks whether Go is
// installed, and a go that ran says what it printed, first line only.
func TestGoVersionErrors(t *testing.T) {
	tests := []struct {
		name string
		goes string   // the file named go put alone on PATH; "" keeps PATH
		env  []string // more environment
		code int
		want string // the error holds this
	}{
		{name: "works", code: exitcode.OK},
		{name: "not on PATH", goes: "-", code: exitcode.MissingTool, want: `go version: exec: "go": executable file not found in $PATH (is Go installed and on PATH?`},
		{name: "not a program", goes: "not a program\n", code: exitcode.MissingTool, want: "/go: exec format error; reinstall Go, or put a working go first on PATH"},
		{name: "interpreter missing", goes: "#!/nonexistent/sh\n", code: exitcode.MissingTool, want: "/go: no such file or directory; reinstall Go"},
		{name: "bad GOEXPERIMENT", env: []string{"GOEXPERIMENT=nosuchthing"}, code: exitcode.Usage, want: "go version: go: unknown GOEXPERIMENT suchthing; fix the setting go names (in the environment, go env -w or go.mod)"},
		{name: "bad GOFLAGS", env: []string{"GOFLAGS=-nosuchflag"}, code: exitcode.Usage, want: "go version: go: parsing $GOFLAGS: unknown flag -nosuchflag; fix the setting go names"},
		{name: "toolchain unavailable", goes: "#!/bin/sh\necho 'go: downloading go1.99.0 (linux/amd64)' >&2\necho 'go: download go1.99.0: toolchain not available' >&2\nexit 1\n", code: exitcode.Usage, want: "go version: go: download go1.99.0: toolchain not available; fix the setting go names"},
		{name: "crashes", goes: "#!/bin/sh\necho 'panic: boom' >&2\necho 'goroutine 1 [running]:' >&2\nexit 2\n", code: exitcode.Failure, want: "go version: exit status 2: panic: boom"},
		{name: "killed", goes: "#!/bin/sh\necho 'go: half a message' >&2\nkill -KILL $$\n", code: exitcode.Failure, want: "go version: signal: killed: go: half a message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.goes != "" && tt.goes != "-" && runtime.GOOS == "windows" {
				t.Skip("Windows runs go.exe, not a file named go")
			}
			if tt.goes != "" {
				bin := t.TempDir()
				if tt.goes != "-" {
					if err := os.WriteFile(filepath.Join(bin, "go"), []byte(tt.goes), 0o755); err != nil {
						t.Fatal(err)
					}
				}
				t.Setenv("PATH", bin)
			}
			for _, kv := range tt.env {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			v, err := GoVersion(t.Context())
			if code := exitcode.Of(err); code != tt.code || err != nil && !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("GoVersion: %v (exit %d), want exit %d and %q", err, code, tt.code, tt.want)
			}
			if err == nil && !strings.HasPrefix(v, "go") {
				t.Errorf("GoVersion = %q", v)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("the error is more than one line: %q", err)
			}
		})
	}
}

// TestEnv: Env reads the named variables as go resolves them with env
// added, and its error is the first line go wrote.
func TestEnv(t *testing.T) {
	t.Setenv("GOFLAGS", "-mod=mod")
	got, err := Env(t.Context(), ".", []string{"GOMODCACHE=/nowhere/mod"}, "GOFLAGS", "GOMODCACHE")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"GOFLAGS": "-mod=mod", "GOMODCACHE": "/nowhere/mod"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Env = %v, want %v", got, want)
	}
	if _, err := Env(t.Context(), ".", []string{"GOEXPERIMENT=nosuchthing"}, "GOFLAGS"); err == nil || err.Error() != "go env: go: unknown GOEXPERIMENT suchthing" {
		t.Errorf("Env with a bad GOEXPERIMENT: %v", err)
	}
}
