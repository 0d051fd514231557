package testbin

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var bin string

func TestMain(m *testing.M) { Main(m, &bin) }

// TestBuild: Main built a bundle command that runs, and OnPath puts its
// folder first, so a script finds it by name.
func TestBuild(t *testing.T) {
	r, err := Run(t.TempDir(), nil, bin, "version")
	if err != nil || r.Code != 0 || !strings.HasPrefix(r.Stdout, "bundle ") {
		t.Fatalf("bundle version: %+v, %v", r, err)
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to run a script with")
	}
	r, err = Run(t.TempDir(), []string{OnPath(bin)}, "sh", "-c", "command -v bundle")
	if err != nil || strings.TrimSpace(r.Stdout) != bin {
		t.Errorf("bundle on PATH is %q (%v), want %s", r.Stdout, err, bin)
	}
}

// TestRun: a program that runs is a Result, whatever its exit code; only
// one that cannot start is an error.
func TestRun(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to run a script with")
	}
	dir := t.TempDir()
	for _, tt := range []struct {
		name, script string
		env          []string
		want         Result
	}{
		{name: "ok", script: "echo out; echo err >&2", want: Result{Stdout: "out\n", Stderr: "err\n"}},
		{name: "exit 3", script: "echo half; exit 3", want: Result{Code: 3, Stdout: "half\n"}},
		{name: "env and dir", script: `echo "$X"; pwd`, env: []string{"X=extra"}, want: Result{Stdout: "extra\n" + dir + "\n"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Run(dir, tt.env, "sh", "-c", tt.script)
			if err != nil || r != tt.want {
				t.Errorf("Run = %+v, %v; want %+v", r, err, tt.want)
			}
		})
	}
	if r, err := Run(dir, nil, filepath.Join(dir, "missing")); err == nil {
		t.Errorf("a missing program ran: %+v", r)
	}
}
