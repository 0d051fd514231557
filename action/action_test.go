// Package action holds the tests of the GitHub Action: action.yml at the
// top of the repository and the scripts in this folder that its steps run,
// with the bundle command built from this checkout.
package action

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/forgetest"
	"github.com/bundlekit/bundle/internal/testbin"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
)

// actionlintVersion is the actionlint the tests run (go run …@version).
const actionlintVersion = "v1.7.12"

// epoch makes the action's builds reproducible.
const epoch = "SOURCE_DATE_EPOCH=1767225600"

// bundleBin is the bundle command the build step finds on PATH.
var bundleBin string

func TestMain(m *testing.M) { testbin.Main(m, &bundleBin) }

// project is a copy of testdata/project with config (a path of the
// repository) as its bundle.yaml.
func project(t *testing.T, config string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "project")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(testfs.RepoRoot(t), "testdata/project"))); err != nil {
		t.Fatal(err)
	}
	testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), config), filepath.Join(dir, "bundle.yaml"))
	return dir
}

// runScript runs a bash script of the repository in dir with extra
// environment variables, as the action's steps run it.
func runScript(t *testing.T, dir string, env []string, script string, args ...string) testbin.Result {
	t.Helper()
	r, err := testbin.Run(dir, env, "bash", append([]string{filepath.Join(testfs.RepoRoot(t), script)}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// readOutputs parses a GITHUB_OUTPUT file of name=value lines.
func readOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out
}

// actionEnv is the environment GitHub gives the action's build step, with
// its files in a temporary folder.
func actionEnv(t *testing.T, args string) (env []string, output, summary string) {
	t.Helper()
	tmp := t.TempDir()
	output, summary = filepath.Join(tmp, "output"), filepath.Join(tmp, "summary.md")
	return []string{testbin.OnPath(bundleBin), epoch, "GITHUB_OUTPUT=" + output, "GITHUB_STEP_SUMMARY=" + summary,
		"INPUT_CONFIG=bundle.yaml", "INPUT_ARGS=" + args, "BUNDLE_ACTION_BIN="}, output, summary
}

// TestActionBuild runs the action's build script on a good project: the
// step outputs name dist and its artifacts.json, and the job summary lists
// every artifact with its sha256.
func TestActionBuild(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "jq", "jq")
	for _, tt := range []struct{ args, dist string }{
		{args: "--version 1.2.3", dist: "dist"},
		{args: `--version v1.2.3 --dist "release files"`, dist: "release files"},
		{args: "--version=1.2.3 -d=out", dist: "out"},
	} {
		t.Run(tt.args, func(t *testing.T) {
			dir := project(t, "testdata/config/good/minimal.yaml")
			env, output, summary := actionEnv(t, tt.args)
			r := runScript(t, dir, env, "action/build.sh")
			if r.Code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
			}
			if strings.Contains(r.Stdout, "::error") || strings.Contains(r.Stdout, "::warning") {
				t.Errorf("annotations on success:\n%s", r.Stdout)
			}
			out := readOutputs(t, output)
			want := map[string]string{"artifacts": tt.dist + "/artifacts.json", "version": "1.2.3", "dist": tt.dist}
			for k, v := range want {
				if out[k] != v {
					t.Errorf("output %s = %q, want %q (all: %v)", k, out[k], v, out)
				}
			}
			m, err := bundler.ReadManifest(filepath.Join(dir, out["dist"]))
			if err != nil || m == nil {
				t.Fatalf("read manifest: %v", err)
			}
			if len(m.Artifacts) == 0 {
				t.Fatal("no artifacts")
			}
			data, err := os.ReadFile(summary)
			if err != nil {
				t.Fatal(err)
			}
			sum := string(data)
			if !strings.Contains(sum, "| artifact | OS | arch | size | sha256 |") || !strings.Contains(sum, "Fixture 1.2.3") {
				t.Errorf("summary has no table header or title:\n%s", sum)
			}
			for _, a := range m.Artifacts {
				row := "| `" + a.Path + "` | " + a.OS + " | " + a.Arch + " | " + bundler.HumanSize(a.Size) + " | `" + a.SHA256 + "` |"
				if len(a.SHA256) != 64 || !strings.Contains(sum, row+"\n") {
					t.Errorf("summary lacks the row\n%s\nin:\n%s", row, sum)
				}
			}
		})
	}
}

// TestActionPublish runs the build step, then the publish step against a
// stand-in for GitHub's API: the release is published with every file,
// its address is a step output and in the summary, and the token is in no
// output.
func TestActionPublish(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "jq", "jq")
	dir := project(t, "testdata/config/good/minimal.yaml")
	env, output, summary := actionEnv(t, "--version 1.2.3")
	if r := runScript(t, dir, env, "action/build.sh"); r.Code != 0 {
		t.Fatalf("build: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	g := forgetest.NewGitHub(t)
	env = append(env, "INPUT_DIST=dist", "GITHUB_TOKEN="+g.Token, "GITHUB_API_URL="+g.API(), "GITHUB_REPOSITORY="+g.Repo())
	r := runScript(t, dir, env, "action/publish.sh")
	if r.Code != 0 {
		t.Fatalf("publish: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	rels := g.Releases()
	m, err := bundler.ReadManifest(filepath.Join(dir, "dist"))
	if err != nil || len(rels) != 1 || rels[0].Draft || len(rels[0].Assets) != len(m.Artifacts)+2 {
		t.Fatalf("releases %+v (%v); want v1.2.3 published with %d files", rels, err, len(m.Artifacts)+2)
	}
	url := readOutputs(t, output)["release-url"]
	sum, _ := os.ReadFile(summary)
	if !strings.HasSuffix(url, "/releases/tag/v1.2.3") || !strings.Contains(string(sum), "Release [v1.2.3]("+url+")") {
		t.Errorf("release-url %q; summary:\n%s", url, sum)
	}
	if strings.Contains(r.Stdout+r.Stderr+string(sum), g.Token) {
		t.Errorf("the token is in the step's output")
	}

	bad := runScript(t, dir, append(env, "GITHUB_TOKEN="), "action/publish.sh")
	if bad.Code != 2 || !strings.Contains(bad.Stdout, "::error::$GITHUB_TOKEN is not set") {
		t.Errorf("without a token: exit %d\n%s%s", bad.Code, bad.Stdout, bad.Stderr)
	}
}

// TestActionErrors: a broken bundle.yaml becomes an annotation on the file,
// line and column bundle names, other errors a plain one, and the step
// fails with bundle's exit code and sets no outputs.
func TestActionErrors(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "jq", "jq")
	fixture, err := os.ReadFile(filepath.Join(testfs.RepoRoot(t), "testdata/config/bad/unknown-key.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The typo's place in the fixture, counted here rather than taken from
	// bundle's message.
	line, col := 0, 0
	for i, l := range strings.Split(string(fixture), "\n") {
		if c := strings.Index(l, "fromats:"); c >= 0 {
			line, col = i+1, c+1
		}
	}
	if line == 0 {
		t.Fatal(`unknown-key.yaml has no "fromats:"`)
	}
	tests := []struct {
		name, config, args string
		code               int
		want               string // a line of stdout
	}{
		{name: "unknown key", config: "testdata/config/bad/unknown-key.yaml", args: "--version 1.2.3", code: 2,
			want: "::error file=bundle.yaml,line=" + strconv.Itoa(line) + ",col=" + strconv.Itoa(col) + `::unknown key "fromats" (did you mean "formats"?)`},
		{name: "bad flag value", config: "testdata/config/good/minimal.yaml", args: "--version x", code: 2,
			want: `::error::--version: "x" is not a semantic version (want MAJOR.MINOR.PATCH, e.g. 1.2.3 or 1.2.3-rc.1)`},
		{name: "unmatched quote", config: "testdata/config/good/minimal.yaml", args: `--dist "out`, code: 2,
			want: "::error::args: cannot split --dist \"out: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := project(t, tt.config)
			env, output, summary := actionEnv(t, tt.args)
			r := runScript(t, dir, env, "action/build.sh")
			if r.Code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.Code, tt.code, r.Stdout, r.Stderr)
			}
			found := false
			for _, l := range strings.Split(r.Stdout, "\n") {
				found = found || strings.HasPrefix(l, tt.want)
			}
			if !found {
				t.Errorf("stdout has no line starting\n%s\nstdout:\n%s", tt.want, r.Stdout)
			}
			if n := strings.Count(r.Stdout, "::error"); n != 1 {
				t.Errorf("%d error annotations, want 1:\n%s", n, r.Stdout)
			}
			if out := readOutputs(t, output); len(out) != 0 {
				t.Errorf("outputs set on failure: %v", out)
			}
			if _, err := os.Stat(summary); err == nil {
				t.Error("a job summary was written for a failed build")
			}
		})
	}
}

// TestActionInstall runs the action's install step: with no version, or
// the action's own ref, it builds bundle from the checkout; another
// version goes through go install, which fails today with the reason.
func TestActionInstall(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, version, ref string }{
		{name: "default", version: "", ref: "main"},
		{name: "the action's ref", version: "v1.4.0", ref: "1.4.0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			output, path := filepath.Join(tmp, "output"), filepath.Join(tmp, "path")
			r := runScript(t, t.TempDir(), []string{"RUNNER_TEMP=" + tmp, "GITHUB_OUTPUT=" + output, "GITHUB_PATH=" + path,
				"ACTION_PATH=" + testfs.RepoRoot(t), "INPUT_VERSION=" + tt.version, "ACTION_REF=" + tt.ref, "GOOS=windows", "GOFLAGS=-mod=vendor"}, "action/install.sh")
			if r.Code != 0 {
				t.Fatalf("exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
			}
			bin := readOutputs(t, output)["bin"]
			if bin == "" || !strings.HasPrefix(bin, tmp) {
				t.Fatalf("bin output %q, not under RUNNER_TEMP %s", bin, tmp)
			}
			if got, _ := os.ReadFile(path); strings.TrimSpace(string(got)) != filepath.Dir(bin) {
				t.Errorf("GITHUB_PATH = %q, want %s", got, filepath.Dir(bin))
			}
			out, err := exec.Command(bin, "version").Output()
			if err != nil || !strings.HasPrefix(string(out), "bundle ") {
				t.Errorf("%s version = %q, %v (built for this machine despite GOOS=windows?)", bin, out, err)
			}
		})
	}
	t.Run("other version", func(t *testing.T) {
		tmp := t.TempDir()
		r := runScript(t, t.TempDir(), []string{"RUNNER_TEMP=" + tmp, "GITHUB_OUTPUT=" + filepath.Join(tmp, "output"), "GITHUB_PATH=",
			"ACTION_PATH=" + testfs.RepoRoot(t), "INPUT_VERSION=v0.9.0", "ACTION_REF=", "GOPROXY=off"}, "action/install.sh")
		if r.Code == 0 {
			t.Fatalf("go install @v0.9.0 with GOPROXY=off succeeded?\n%s%s", r.Stdout, r.Stderr)
		}
		if !strings.Contains(r.Stdout, "::error") || !strings.Contains(r.Stdout, "replace") || !strings.Contains(r.Stdout, "Leave the version input empty") {
			t.Errorf("no explanation:\n%s", r.Stdout)
		}
		if out := readOutputs(t, filepath.Join(tmp, "output")); len(out) != 0 {
			t.Errorf("outputs set on failure: %v", out)
		}
	})
}

// TestActionMetadata checks what action.yml promises: its inputs with their
// defaults, its outputs wired to the build step, and scripts that exist.
func TestActionMetadata(t *testing.T) {
	t.Parallel()
	md := readActionYAML(t)
	defaults := map[string]string{"version": "", "config": "bundle.yaml", "args": "", "go-version": "",
		"publish": "false", "token": "${{ github.token }}"}
	for name, def := range defaults {
		in, ok := md.Inputs[name]
		if !ok {
			t.Errorf("no input %q", name)
			continue
		}
		if in.Default != def || in.Description == "" {
			t.Errorf("input %s: default %q, want %q; description %q", name, in.Default, def, in.Description)
		}
	}
	if len(md.Inputs) != len(defaults) {
		t.Errorf("inputs %v, want exactly %v", md.Inputs, defaults)
	}
	for _, name := range []string{"artifacts", "version", "dist"} {
		if got, want := md.Outputs[name].Value, "${{ steps.build.outputs."+name+" }}"; got != want {
			t.Errorf("output %s = %q, want %q", name, got, want)
		}
	}
	if got, want := md.Outputs["release-url"].Value, "${{ steps.publish.outputs.release-url }}"; got != want {
		t.Errorf("output release-url = %q, want %q", got, want)
	}
	if md.Runs.Using != "composite" {
		t.Errorf("runs.using %q, want composite", md.Runs.Using)
	}
	scripts := regexp.MustCompile(`\$ACTION_PATH/(action/[a-z-]+\.sh)`)
	n := 0
	for _, step := range md.Runs.Steps {
		run, _ := step["run"].(string)
		for _, m := range scripts.FindAllStringSubmatch(run, -1) {
			n++
			if _, err := os.Stat(filepath.Join(testfs.RepoRoot(t), m[1])); err != nil {
				t.Errorf("step %v runs a missing script: %v", step["name"], err)
			}
		}
	}
	if n != 3 {
		t.Errorf("%d steps run action/*.sh, want 3 (install, build and publish)", n)
	}
}

type actionMetadata struct {
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string           `yaml:"using"`
		Steps []map[string]any `yaml:"steps"`
	} `yaml:"runs"`
}

func readActionYAML(t *testing.T) actionMetadata {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testfs.RepoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var md actionMetadata
	if err := yaml.Unmarshal(data, &md); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return md
}

// TestActionlint runs actionlint on the example workflows and on
// action.yml, in a throw-away repository where the examples use the action
// as a local one (uses: ./), so their inputs are checked against
// action.yml. actionlint checks only the metadata of a local action, so
// the action's steps are also linted as the steps of a reusable workflow
// with the same inputs.
func TestActionlint(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pkg := "github.com/rhysd/actionlint/cmd/actionlint@" + actionlintVersion
	if out, err := exec.CommandContext(ctx, "go", "run", pkg, "-version").CombinedOutput(); err != nil {
		msg := "cannot run actionlint through the Go module proxy (go run " + pkg + "): " + err.Error() + "\n" + string(out)
		testtool.Missing(t, msg)
	}

	repo := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), "action.yml"), filepath.Join(repo, "action.yml"))
	examples, err := filepath.Glob(filepath.Join(testfs.RepoRoot(t), "examples/github/*.yml"))
	if err != nil || len(examples) < 2 {
		t.Fatalf("example workflows: %v, %v", examples, err)
	}
	remote := regexp.MustCompile(`(?m)^(\s*-?\s*uses:\s*)bundlekit/bundle@\S+`)
	for _, ex := range examples {
		data, err := os.ReadFile(ex)
		if err != nil {
			t.Fatal(err)
		}
		if !remote.Match(data) {
			t.Errorf("%s does not use bundlekit/bundle@<ref>", filepath.Base(ex))
		}
		local := remote.ReplaceAllString(string(data), "${1}./")
		testfs.WriteFile(t, filepath.Join(repo, ".github/workflows", filepath.Base(ex)), local)
	}

	md := readActionYAML(t)
	inputs := map[string]any{}
	for name, in := range md.Inputs {
		inputs[name] = map[string]any{"type": "string", "required": false, "default": in.Default, "description": in.Description}
	}
	steps := map[string]any{
		"name": "action.yml steps",
		"on":   map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{"action": map[string]any{"runs-on": "ubuntu-latest", "steps": md.Runs.Steps}},
	}
	data, err := yaml.Marshal(steps)
	if err != nil {
		t.Fatal(err)
	}
	testfs.WriteFile(t, filepath.Join(repo, ".github/workflows/action-steps.yml"), "# The steps of action.yml, linted as a workflow.\n"+string(data))

	cmd := exec.CommandContext(ctx, "go", "run", pkg, "-no-color")
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("actionlint: %v\n%s", err, out)
	}
}
