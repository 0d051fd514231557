// Package scripts holds the tests of the repository's shell scripts:
// scripts/release.sh, run with the bundle command built from this
// checkout, and shellcheck over every script.
package scripts

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/forgetest"
	"github.com/bundlekit/bundle/internal/testbin"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testgit"
	"github.com/bundlekit/bundle/internal/testtool"
)

// bundleBin is the bundle command release.sh runs.
var bundleBin string

// epoch makes the releases' builds reproducible.
const epoch = "SOURCE_DATE_EPOCH=1767225600"

func TestMain(m *testing.M) { testbin.Main(m, &bundleBin) }

// gitProject is a copy of testdata/project (with the minimal bundle.yaml)
// in a git repository whose commits are tagged with tags, with one commit
// after the last tag.
func gitProject(t *testing.T, tags ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "project")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(testfs.RepoRoot(t), "testdata/project"))); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(testfs.RepoRoot(t), "testdata/config/good/minimal.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	testfs.WriteFile(t, filepath.Join(dir, "bundle.yaml"), string(cfg))
	testgit.History(t, dir, true, tags...)
	return dir
}

// release runs scripts/release.sh in dir with the tests' bundle on PATH.
func release(t *testing.T, dir string, args ...string) testbin.Result {
	t.Helper()
	env := append([]string{testbin.OnPath(bundleBin), epoch, "BUNDLE="}, testgit.Env()...)
	r, err := testbin.Run(dir, env, "bash", append([]string{filepath.Join(testfs.RepoRoot(t), "scripts/release.sh")}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// treeOf lists every file under dir but .git, with its size.
func treeOf(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %s %d\n", p, info.Mode(), info.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// gitState is what a release changes in git: status, tags and HEAD.
func gitState(t *testing.T, dir string) string {
	t.Helper()
	return testgit.Run(t, dir, "status", "--porcelain", "--ignored") + "\n--\n" +
		testgit.Run(t, dir, "tag", "--list") + "\n--\n" + testgit.Run(t, dir, "rev-parse", "HEAD")
}

// TestReleaseDryRun prints the next version and the plan and changes
// nothing: no tag, no dist, the same git status.
func TestReleaseDryRun(t *testing.T) {
	t.Parallel()
	dir := gitProject(t, "v1.2.3")
	before, beforeTree := gitState(t, dir), treeOf(t, dir)
	r := release(t, dir, "--dry-run", "minor")
	if r.Code != 0 {
		t.Fatalf("exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	for _, want := range []string{"release 1.3.0 (after v1.2.3, minor)", "git tag -a v1.3.0", "build --config bundle.yaml --dist dist --clean --version 1.3.0", "sha256sum -c checksums.txt", "git push origin v1.3.0", "dry run: nothing changed"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("the plan does not say %q:\n%s", want, r.Stdout)
		}
	}
	if after := gitState(t, dir); after != before {
		t.Errorf("git changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if after := treeOf(t, dir); after != beforeTree {
		t.Errorf("the tree changed:\nbefore:\n%s\nafter:\n%s", beforeTree, after)
	}
}

// TestRelease tags v1.3.0 (annotated), builds dist with a checksums.txt
// that sha256sum accepts, and lists what to upload.
func TestRelease(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "coreutils", "sha256sum")
	dir := gitProject(t, "v1.2.3")
	r := release(t, dir, "minor")
	if r.Code != 0 {
		t.Fatalf("exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if typ := testgit.Run(t, dir, "cat-file", "-t", "v1.3.0"); typ != "tag" {
		t.Errorf("v1.3.0 is a %s, want an annotated tag", typ)
	}
	if tagged, head := testgit.Run(t, dir, "rev-parse", "v1.3.0^{commit}"), testgit.Run(t, dir, "rev-parse", "HEAD"); tagged != head {
		t.Errorf("v1.3.0 is %s, HEAD %s", tagged, head)
	}
	dist := filepath.Join(dir, "dist")
	m := testfs.ReadManifest(t, dist)
	if m.Version != "1.3.0" || len(m.Artifacts) == 0 {
		t.Fatalf("manifest %+v", m)
	}
	check := exec.Command("sha256sum", "-c", bundler.ChecksumsName)
	check.Dir = dist
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c: %v\n%s", err, out)
	}
	for _, a := range m.Artifacts {
		if !regexp.MustCompile(`(?m)^  dist/` + regexp.QuoteMeta(a.Path) + `$`).MatchString(r.Stdout) {
			t.Errorf("the upload list lacks %s:\n%s", a.Path, r.Stdout)
		}
	}
	if !strings.Contains(r.Stdout, "git push origin v1.3.0") {
		t.Errorf("no word on pushing the tag:\n%s", r.Stdout)
	}
	if s := testgit.Run(t, dir, "status", "--porcelain"); s != "?? dist/" {
		t.Errorf("git status after the release: %q, want only dist/", s)
	}

	// The next patch goes on from the new tag, over the old dist.
	testfs.WriteFile(t, filepath.Join(dir, "CHANGES"), "a fix\n")
	testgit.Run(t, dir, "commit", "-q", "-am", "a fix")
	if r := release(t, dir, "patch"); r.Code != 0 || testfs.ReadManifest(t, dist).Version != "1.3.1" {
		t.Fatalf("second release: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
}

// TestReleasePublish tags, builds, pushes the tag to origin and
// publishes the release (to a stand-in for GitHub's API); without a token
// it stops before it tags.
func TestReleasePublish(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "coreutils", "sha256sum")
	dir := gitProject(t, "v1.2.3")
	origin := filepath.Join(t.TempDir(), "origin.git")
	testgit.Run(t, "", "init", "-q", "--bare", origin)
	testgit.Run(t, dir, "remote", "add", "origin", origin)
	before := gitState(t, dir)
	env := append([]string{testbin.OnPath(bundleBin), epoch, "BUNDLE=", "GITHUB_TOKEN="}, testgit.Env()...)
	script := filepath.Join(testfs.RepoRoot(t), "scripts/release.sh")
	r, err := testbin.Run(dir, env, "bash", script, "--publish", "minor")
	if err != nil || r.Code != 2 || !strings.Contains(r.Stderr, "$GITHUB_TOKEN is not set") || gitState(t, dir) != before {
		t.Fatalf("without a token: exit %d (%v)\n%s%s", r.Code, err, r.Stdout, r.Stderr)
	}

	g := forgetest.NewGitHub(t)
	env = append(env, "GITHUB_TOKEN="+g.Token, "GITHUB_API_URL="+g.API())
	r, err = testbin.Run(dir, env, "bash", script, "--publish", "--repo", g.Repo(), "minor")
	if err != nil || r.Code != 0 || !strings.Contains(r.Stdout, "published v1.3.0") {
		t.Fatalf("release --publish: exit %d (%v)\n%s%s", r.Code, err, r.Stdout, r.Stderr)
	}
	if got := testgit.Run(t, origin, "tag", "--list"); got != "v1.3.0" {
		t.Errorf("origin's tags: %q, want v1.3.0", got)
	}
	rels := g.Releases()
	m := testfs.ReadManifest(t, filepath.Join(dir, "dist"))
	if len(rels) != 1 || rels[0].Tag != "v1.3.0" || rels[0].Draft || len(rels[0].Assets) != len(m.Artifacts)+2 {
		t.Errorf("releases %+v; want v1.3.0 published with %d files", rels, len(m.Artifacts)+2)
	}
	if want := testgit.Run(t, dir, "rev-parse", "v1.3.0^{commit}"); rels[0].Target != want {
		t.Errorf("the release's target %q, want the tag's commit %s", rels[0].Target, want)
	}
}

// TestReleaseRefuses: a dirty tree, a bad bump or an existing tag stop the
// release before anything happens, and a failed build takes its tag back.
func TestReleaseRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		args  []string
		code  int
		want  string
	}{
		{name: "dirty", args: []string{"patch"}, code: 2, want: "the git tree is not clean",
			setup: func(t *testing.T, dir string) { testfs.WriteFile(t, filepath.Join(dir, "notes.txt"), "wip") }},
		{name: "modified", args: []string{"--dry-run", "patch"}, code: 2, want: "M LICENSE",
			setup: func(t *testing.T, dir string) { testfs.WriteFile(t, filepath.Join(dir, "LICENSE"), "changed") }},
		{name: "bad bump", args: []string{"minro"}, code: 2, want: `"minro" is not patch, minor, major`},
		{name: "not after", args: []string{"1.2.3"}, code: 2, want: "not after 1.2.3"},
		{name: "no bump", args: []string{"--dry-run"}, code: 2, want: "say which release"},
		{name: "two bumps", args: []string{"patch", "minor"}, code: 2, want: "one version or bump only"},
		{name: "unknown option", args: []string{"--force", "patch"}, code: 2, want: "unknown option --force"},
		{name: "tag exists", args: []string{"1.4.0"}, code: 2, want: "tag v1.4.0 already exists",
			setup: func(t *testing.T, dir string) {
				// On another branch, so the latest tag of HEAD is still v1.2.3.
				testgit.Run(t, dir, "checkout", "-q", "-b", "side")
				testfs.WriteFile(t, filepath.Join(dir, "CHANGES"), "side\n")
				testgit.Run(t, dir, "commit", "-q", "-am", "side")
				testgit.Run(t, dir, "tag", "v1.4.0")
				testgit.Run(t, dir, "checkout", "-q", "-")
			}},
		{name: "build fails", args: []string{"patch"}, code: 1, want: "deleted tag v1.2.4 again",
			setup: func(t *testing.T, dir string) {
				testfs.WriteFile(t, filepath.Join(dir, "broken.go"), "package main\n\nfunc broken() { undefinedThing() }\n")
				testgit.Run(t, dir, "add", "-A")
				testgit.Run(t, dir, "commit", "-q", "-m", "broken")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := gitProject(t, "v1.2.3")
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			before, beforeTree := gitState(t, dir), treeOf(t, dir)
			r := release(t, dir, tt.args...)
			if r.Code != tt.code || !strings.Contains(r.Stderr, tt.want) {
				t.Errorf("exit %d (want %d), stderr does not say %q\nstdout:\n%s\nstderr:\n%s", r.Code, tt.code, tt.want, r.Stdout, r.Stderr)
			}
			if after := gitState(t, dir); after != before {
				t.Errorf("git changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if tt.name != "build fails" {
				if after := treeOf(t, dir); after != beforeTree {
					t.Errorf("the tree changed:\nbefore:\n%s\nafter:\n%s", beforeTree, after)
				}
			}
		})
	}
}

// TestScriptsShellcheck lints the action's scripts and scripts/release.sh.
func TestScriptsShellcheck(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "shellcheck", "shellcheck")
	scripts, err := filepath.Glob(filepath.Join(testfs.RepoRoot(t), "action", "*.sh"))
	if err != nil || len(scripts) < 2 {
		t.Fatalf("action scripts: %v %v", scripts, err)
	}
	scripts = append(scripts, filepath.Join(testfs.RepoRoot(t), "scripts", "release.sh"))
	cmd := exec.Command("shellcheck", append([]string{"--shell=bash", "--severity=style"}, scripts...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}
