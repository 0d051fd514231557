package hook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/testfs"
)

// bundledExe returns the executable bundle builds of a project of the
// repository for target, extracted into the test's own folder. Examples
// with a test of every target share that build; others get a build of
// target alone, shared by the tests that ask for it.
func bundledExe(t *testing.T, project, target string) string {
	t.Helper()
	var dist string
	if slices.Contains(crossCompiled, project) {
		dist = buildtest.Example(t, project)
	} else {
		dir := filepath.Join(testfs.RepoRoot(t), project)
		dist = buildtest.Shared(t, project+" "+target, func(work string) buildtest.Built {
			defer buildtest.LockTree(project)()
			return buildtest.Build(context.Background(), t, bundler.BuildOptions{
				Config: filepath.Join(dir, "bundle.yaml"), Dist: filepath.Join(work, "dist"),
				Targets: []string{target}, Formats: []string{"tar.gz", "zip"},
			})

		}).
			Dist
	}
	for _, a := range testfs.ReadManifest(t, dist).Artifacts {
		if a.OS+"/"+a.Arch == target && (a.Format == "tar.gz" || a.Format == "zip") {
			return testfs.ExtractAll(t, filepath.Join(dist, a.Path), t.TempDir())
		}
	}
	t.Fatalf("no archive for %s in the build of %s", target, project)
	return ""
}

// crossCompiled are the examples TestExamplesCrossCompile builds for every
// target.
var crossCompiled = []string{"examples/respawn", "examples/webui"}

// plainExe builds a project of the repository with go build alone, as its
// author would run it unbundled.
func plainExe(t *testing.T, project string) string {
	t.Helper()
	exe := filepath.Join(t.TempDir(), filepath.Base(project))
	cmd := exec.Command("go", "build", "-o", exe, ".")
	cmd.Dir = filepath.Join(testfs.RepoRoot(t), project)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", project, err, out)
	}
	return exe
}

// firstArchive is the manifest's first tar.gz or zip.
func firstArchive(t *testing.T, m bundler.Manifest) bundler.Artifact {
	t.Helper()
	for _, a := range m.Artifacts {
		if a.Format == "tar.gz" || a.Format == "zip" {
			return a
		}
	}
	t.Fatalf("no archive in %v", m.Artifacts)
	return bundler.Artifact{}
}

// inspectExe is bundler.Inspect of an executable.
func inspectExe(t *testing.T, exe string) *bundler.Executable {
	t.Helper()
	r, err := bundler.Inspect(context.Background(), exe)
	if err != nil {
		t.Fatal(err)
	}
	if r.Executable == nil {
		t.Fatalf("inspect %s: not an executable: %+v", exe, r)
	}
	return r.Executable
}

// verifyReport is `bundle verify --json`.
type verifyReport struct {
	MaxProcs int  `json:"max_procs"`
	Distinct int  `json:"distinct"`
	Exited   bool `json:"exited"`
	ExitCode int  `json:"exit_code"`
	Killed   int  `json:"killed"`
}

// verifyExe runs exe under `bundle verify --json`, in a jail. Verify runs
// in a process of its own, not in the test binary: it makes its process a
// child subreaper and counts, then kills, every child of that process,
// which here would be the programs and builds of the tests running beside
// this one.
func verifyExe(t *testing.T, exe string, watch string, maxProcs int, args ...string) (verifyReport, ran) {
	t.Helper()
	line := jailed(t, buildtest.Bundle(t), append([]string{"verify", "--json", "--watch", watch, "--max-procs", strconv.Itoa(maxProcs), exe, "--"}, args...)...)
	r := runCmd(t, t.TempDir(), line[0], line[1:]...)
	var rep verifyReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("verify output is not JSON: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	return rep, r
}

// jailed returns the command line that runs name with args in a jail of
// its own (see buildtest.Jail), as every run of a program that may start
// copies of itself is: a broken guard cannot take the machine down.
func jailed(t *testing.T, name string, args ...string) []string {
	t.Helper()
	return buildtest.Jailed(t, time.Minute, name, args...)
}

// jailedCommand is exec.CommandContext of jailed.
func jailedCommand(ctx context.Context, t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	line := jailed(t, name, args...)
	return exec.CommandContext(ctx, line[0], line[1:]...)
}

// ran is one run of a program.
type ran struct {
	code           int
	stdout, stderr string
}

// runCmd runs a program in dir and returns its exit code and output; only
// a failure to start it fails the test.
func runCmd(t *testing.T, dir, name string, args ...string) ran {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %s: %v", name, err)
	}
	return ran{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// messages are the messages of the build's events of one kind.
func messages(b buildtest.Built, kind bundler.EventKind) []string {
	var out []string
	for _, e := range b.Events {
		if e.Kind == kind {
			out = append(out, e.Message)
		}
	}
	return out
}

// alive reports whether a process with this id still exists.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	return err == nil && p.Signal(syscall.Signal(0)) == nil
}

func TestMain(m *testing.M) { buildtest.Main(m) }
