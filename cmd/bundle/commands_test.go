package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testfs"
)

func TestInit(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "testdata/project")
	r := runBundle(t, dir, nil, "init")
	if r.code != 0 {
		t.Fatalf("init: exit %d\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`name: "Fixture"`, "id: com.example.fixture", "binary: fixture", "main: .", "# Square PNG"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("bundle.yaml lacks %q:\n%s", want, data)
		}
	}
	again := runBundle(t, dir, nil, "init")
	if again.code != 2 || !strings.Contains(again.stderr, "already exists; pass --force") {
		t.Errorf("second init: exit %d %s", again.code, again.stderr)
	}
	if r := runBundle(t, dir, nil, "init", "--force"); r.code != 0 {
		t.Errorf("init --force: exit %d %s", r.code, r.stderr)
	}
	// The written file is a working config.
	b := runBundle(t, dir, []string{epoch}, "build", "--version", "0.1.0", "--target", hostTarget())
	if b.code != 0 {
		t.Fatalf("build with the init config: exit %d\n%s", b.code, b.stderr)
	}
}

// TestInitIgnoresDist: init says in one line what it did to .gitignore so
// that git leaves dist out, and nothing when git ignores dist already.
func TestInitIgnoresDist(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		gitignore string // "" for none; "->" and a target for a link
		want      string // the line init prints about .gitignore; "" for none
		content   string // .gitignore afterwards
	}{
		{"none", "", "wrote .gitignore with /dist/, so git leaves the build output out\n", "/dist/\n"},
		{"other rules", "bin/", "added /dist/ to .gitignore, so git leaves the build output out\n", "bin/\n/dist/\n"},
		{"ignored already", "dist/\n", "", "dist/\n"},
		{"a link", "->rules", "left .gitignore as it is (it is a symbolic link, which git does not follow); add /dist/ to git's ignore rules yourself\n", "bin/\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			testfs.WriteFile(t, filepath.Join(dir, "go.mod"), "module example.com/tool\n\ngo 1.22\n")
			testfs.WriteFile(t, filepath.Join(dir, "main.go"), "// Tool counts the lines of its input.\npackage main\n\nfunc main() {}\n")
			if target, ok := strings.CutPrefix(tt.gitignore, "->"); ok {
				testfs.WriteFile(t, filepath.Join(dir, target), "bin/\n")
				if err := os.Symlink(target, filepath.Join(dir, ".gitignore")); err != nil {
					t.Fatal(err)
				}
			} else if tt.gitignore != "" {
				testfs.WriteFile(t, filepath.Join(dir, ".gitignore"), tt.gitignore)
			}
			r := runBundle(t, dir, []string{"GIT_CONFIG_GLOBAL=" + os.DevNull}, "init")
			if r.code != 0 {
				t.Fatalf("init: exit %d %s", r.code, r.stderr)
			}
			if _, line, _ := strings.Cut(r.stdout, "\n"); line != tt.want {
				t.Errorf("init printed %q after its first line, want %q", line, tt.want)
			}
			if data, err := os.ReadFile(filepath.Join(dir, ".gitignore")); err != nil || string(data) != tt.content {
				t.Errorf(".gitignore holds %q (%v), want %q", data, err, tt.content)
			}
		})
	}
}

func TestInitFindsCmdMain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testfs.WriteFile(t, filepath.Join(dir, "go.mod"), "module github.com/acme/tool\n\ngo 1.21\n")
	testfs.WriteFile(t, filepath.Join(dir, "tool.go"), "package tool\n")
	testfs.WriteFile(t, filepath.Join(dir, "cmd", "toolctl", "main.go"), "package main\n\nfunc main() {}\n")
	if r := runBundle(t, dir, nil, "init"); r.code != 0 {
		t.Fatalf("init: exit %d %s", r.code, r.stderr)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	for _, want := range []string{"main: ./cmd/toolctl", "binary: toolctl", "id: com.github.acme.tool", "runtime:\n  guard: chain\n"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("bundle.yaml lacks %q:\n%s", want, data)
		}
	}
}

func TestSchemaCommand(t *testing.T) {
	t.Parallel()
	r := runBundle(t, t.TempDir(), nil, "schema")
	if r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if s["$schema"] == nil || s["additionalProperties"] != false {
		t.Errorf("schema head: %v", s)
	}
	if !strings.Contains(r.stdout, "chain (the default: a copy runs") || !strings.Contains(r.stdout, `"max_procs"`) {
		t.Error("the schema does not say runtime.guard defaults to chain, or lacks runtime.max_procs")
	}
}

func TestDoctor(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "examples/hello")
	r := runBundle(t, dir, nil, "doctor", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var report struct {
		Tools []struct {
			Command string `json:"command"`
			Found   bool   `json:"found"`
			Install string `json:"install"`
		} `json:"tools"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
		t.Fatal(err)
	}
	if len(report.Tools) == 0 || report.Tools[0].Command != "go" || !report.Tools[0].Found {
		t.Errorf("doctor report: %+v", report)
	}
	plain := runBundle(t, dir, nil, "doctor")
	if !strings.Contains(plain.stdout, "go") || !strings.Contains(plain.stdout, "TOOL") {
		t.Errorf("doctor output:\n%s", plain.stdout)
	}
	noGo := runBundle(t, dir, []string{"PATH=" + t.TempDir()}, "doctor")
	if noGo.code != 3 || !strings.Contains(noGo.stdout, "apt-get install golang-go") {
		t.Errorf("doctor without go: exit %d\n%s%s", noGo.code, noGo.stdout, noGo.stderr)
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	r := runBundle(t, t.TempDir(), nil, "frobnicate")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d %s", r.code, r.stderr)
	}
	h := runBundle(t, t.TempDir(), nil, "build", "--help")
	if h.code != 0 || !strings.Contains(h.stdout, "--skip-unavailable") || !strings.Contains(h.stdout, "$BUNDLE_DIST") {
		t.Errorf("build --help:\n%s", h.stdout)
	}
}

// TestDoctorHidesSecrets: the tools doctor asks for their version do not
// see the signing password bundle.yaml names.
func TestDoctorHidesSecrets(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "examples/hello")
	cfg, err := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	testfs.WriteFile(t, filepath.Join(dir, "bundle.yaml"), string(cfg)+"sign:\n  windows:\n    pfx_file: keys/codesign.pfx\n    password_env: TEST_PFX_PASSWORD\n")
	// A stand-in osslsigncode that records the environment it gets.
	bin, seen := t.TempDir(), filepath.Join(t.TempDir(), "env")
	testfs.WriteFile(t, filepath.Join(bin, "osslsigncode"), "#!/bin/sh\nenv > "+seen+"\necho osslsigncode 0\n")
	if err := os.Chmod(filepath.Join(bin, "osslsigncode"), 0o755); err != nil {
		t.Fatal(err)
	}
	const secret = "doctor-must-not-pass-this-on"
	runBundle(t, dir, []string{"TEST_PFX_PASSWORD=" + secret, "PATH=" + bin + ":" + os.Getenv("PATH")}, "doctor")
	env, err := os.ReadFile(seen)
	if err != nil {
		t.Fatalf("doctor did not run osslsigncode --version: %v", err)
	}
	if strings.Contains(string(env), secret) || !strings.Contains(string(env), "PATH=") {
		t.Errorf("osslsigncode saw the secret, or no environment at all:\n%s", env)
	}
}
