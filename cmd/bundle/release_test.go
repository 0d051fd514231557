package main

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testtool"
)

// gitEnv is a git identity and configuration of the test's own, so that
// neither the machine's nor the user's git config (signing, hooks) applies.
var gitEnv = []string{
	"GIT_AUTHOR_NAME=Release Test", "GIT_AUTHOR_EMAIL=release@example.com",
	"GIT_COMMITTER_NAME=Release Test", "GIT_COMMITTER_EMAIL=release@example.com",
	"GIT_CONFIG_GLOBAL=" + os.DevNull, "GIT_CONFIG_NOSYSTEM=1",
}

// git runs git in dir with gitEnv and returns its trimmed output.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), gitEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// gitProject is a copy of testdata/project (with the minimal bundle.yaml)
// in a git repository: one commit per entry of tags, tagged with it ("" for
// none), and one more commit after them when more is true.
func gitProject(t *testing.T, more bool, tags ...string) string {
	t.Helper()
	testtool.Need(t, "git", "git")
	dir := copyProject(t, "testdata/project")
	copyFile(t, filepath.Join(repoRoot(t), "testdata/config/good/minimal.yaml"), filepath.Join(dir, "bundle.yaml"))
	git(t, dir, "init", "-q")
	commit := func(msg string) {
		writeFile(t, filepath.Join(dir, "CHANGES"), msg+"\n")
		git(t, dir, "add", "-A")
		git(t, dir, "commit", "-q", "-m", msg)
	}
	for i, tag := range tags {
		commit("change " + string(rune('a'+i)))
		if tag != "" {
			git(t, dir, "tag", "-a", tag, "-m", "Release "+tag)
		}
	}
	if more || len(tags) == 0 {
		commit("after the last tag")
	}
	return dir
}

// TestVersionNext is `bundle version --next`: the release after the latest
// tag (or --from), and one-line errors with exit code 2.
func TestVersionNext(t *testing.T) {
	t.Parallel()
	tagged := gitProject(t, true, "v1.0.0", "v1.2.3")
	rc := gitProject(t, false, "v1.2.3", "v2.0.0-rc.1")
	untagged := gitProject(t, true)
	notGit := t.TempDir()
	foreign := gitProject(t, true, "v1.2.3", "nightly")
	tests := []struct {
		dir  string
		args []string
		want string // stdout, or for an error a substring of stderr
		code int
	}{
		{tagged, []string{"--next", "patch"}, "1.2.4", 0},
		{tagged, []string{"--next", "minor"}, "1.3.0", 0},
		{tagged, []string{"--next", "major"}, "2.0.0", 0},
		{tagged, []string{"--next", "1.5.0"}, "1.5.0", 0},
		{tagged, []string{"--next", "v2.0.0-rc.1"}, "2.0.0-rc.1", 0},
		{tagged, []string{"--next", "1.2.3"}, "--next 1.2.3: not after 1.2.3 (the latest git tag v1.2.3); pick a later version", 2},
		{tagged, []string{"--next", "1.2.0"}, "not after 1.2.3", 2},
		{tagged, []string{"--next", "1.3"}, `--next: "1.3" is not patch, minor, major or a semantic version`, 2},
		{tagged, []string{"--next", "minro"}, `--next: "minro" is not patch, minor, major`, 2},
		{tagged, []string{"--next", ""}, `--next: "" is not patch`, 2},
		{tagged, []string{"--next", "patch", "--from", "0.9.9"}, "0.9.10", 0},
		{tagged, []string{"--next", "minor", "--from", "v0.9.9"}, "0.10.0", 0},
		{tagged, []string{"--next", "1.0.0", "--from", "0.9.9"}, "1.0.0", 0},
		{tagged, []string{"--next", "patch", "--from", "1.2"}, `--from: "1.2" is not a semantic version`, 2},
		{tagged, []string{"--from", "1.2.3"}, "--from: only used with --next", 2},
		{tagged, []string{"--next", "patch", "extra"}, "version takes no arguments", 2},
		{tagged, []string{"--next"}, "flag needs an argument", 2},
		{rc, []string{"--next", "patch"}, "2.0.0", 0},
		{rc, []string{"--next", "minor"}, "2.0.0", 0},
		{rc, []string{"--next", "major"}, "2.0.0", 0},
		{rc, []string{"--next", "minor", "--from", "1.3.1-rc.1"}, "1.4.0", 0},
		{rc, []string{"--next", "patch", "--from", "1.3.1-rc.1"}, "1.3.1", 0},
		{untagged, []string{"--next", "patch"}, "--next patch: no git tag is reachable from HEAD to bump; pass --from X.Y.Z, or an explicit first version such as --next 0.1.0", 2},
		{untagged, []string{"--next", "0.1.0"}, "0.1.0", 0},
		{untagged, []string{"--next", "major", "--from", "0.4.2"}, "1.0.0", 0},
		{notGit, []string{"--next", "minor"}, "no git tag is reachable from HEAD", 2},
		{notGit, []string{"--next", "1.0.0"}, "1.0.0", 0},
		{foreign, []string{"--next", "patch"}, "the latest git tag nightly is not a semantic version; pass --from X.Y.Z", 2},
		{foreign, []string{"--next", "patch", "--from", "1.2.3"}, "1.2.4", 0},
	}
	names := map[string]string{tagged: "v1.2.3", rc: "v2.0.0-rc.1", untagged: "no tags", notGit: "not git", foreign: "nightly"}
	for _, tt := range tests {
		t.Run(names[tt.dir]+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			r := runBundle(t, tt.dir, gitEnv, append([]string{"version"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			if tt.code == 0 {
				if r.stdout != tt.want+"\n" || r.stderr != "" {
					t.Errorf("stdout %q, want %q; stderr %q", r.stdout, tt.want+"\n", r.stderr)
				}
				return
			}
			if r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "bundle: ") || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("want one line on stderr saying %q; stdout %q, stderr %q", tt.want, r.stdout, r.stderr)
			}
		})
	}
	if r := runBundle(t, tagged, nil, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "bundle ") {
		t.Errorf("plain bundle version: exit %d %q", r.code, r.stdout)
	}
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
	return git(t, dir, "status", "--porcelain", "--ignored") + "\n--\n" + git(t, dir, "tag", "--list") + "\n--\n" + git(t, dir, "rev-parse", "HEAD")
}

// releaseEnv runs scripts/release.sh with the tests' bundle on PATH.
func releaseEnv() []string {
	return append([]string{withBundleOnPath(), epoch, "BUNDLE="}, gitEnv...)
}

// TestReleaseDryRun prints the next version and the plan and changes
// nothing: no tag, no dist, the same git status.
func TestReleaseDryRun(t *testing.T) {
	t.Parallel()
	dir := gitProject(t, true, "v1.2.3")
	before, beforeTree := gitState(t, dir), treeOf(t, dir)
	r := runScript(t, dir, releaseEnv(), "scripts/release.sh", "--dry-run", "minor")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"release 1.3.0 (after v1.2.3, minor)", "git tag -a v1.3.0", "build --config bundle.yaml --dist dist --clean --version 1.3.0", "sha256sum -c checksums.txt", "git push origin v1.3.0", "dry run: nothing changed"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the plan does not say %q:\n%s", want, r.stdout)
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
	dir := gitProject(t, true, "v1.2.3")
	r := runScript(t, dir, releaseEnv(), "scripts/release.sh", "minor")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if typ := git(t, dir, "cat-file", "-t", "v1.3.0"); typ != "tag" {
		t.Errorf("v1.3.0 is a %s, want an annotated tag", typ)
	}
	if tagged, head := git(t, dir, "rev-parse", "v1.3.0^{commit}"), git(t, dir, "rev-parse", "HEAD"); tagged != head {
		t.Errorf("v1.3.0 is %s, HEAD %s", tagged, head)
	}
	dist := filepath.Join(dir, "dist")
	m := readManifest(t, dist)
	if m.Version != "1.3.0" || len(m.Artifacts) == 0 {
		t.Fatalf("manifest %+v", m)
	}
	mustRun(t, dist, "sha256sum", "-c", "checksums.txt")
	for _, a := range m.Artifacts {
		if !regexp.MustCompile(`(?m)^  dist/` + regexp.QuoteMeta(a.Path) + `$`).MatchString(r.stdout) {
			t.Errorf("the upload list lacks %s:\n%s", a.Path, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "git push origin v1.3.0") {
		t.Errorf("no word on pushing the tag:\n%s", r.stdout)
	}
	if s := git(t, dir, "status", "--porcelain"); s != "?? dist/" {
		t.Errorf("git status after the release: %q, want only dist/", s)
	}

	// The next patch goes on from the new tag, over the old dist.
	writeFile(t, filepath.Join(dir, "CHANGES"), "a fix\n")
	git(t, dir, "commit", "-q", "-am", "a fix")
	if r := runScript(t, dir, releaseEnv(), "scripts/release.sh", "patch"); r.code != 0 || readManifest(t, dist).Version != "1.3.1" {
		t.Fatalf("second release: exit %d\n%s%s", r.code, r.stdout, r.stderr)
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
			setup: func(t *testing.T, dir string) { writeFile(t, filepath.Join(dir, "notes.txt"), "wip") }},
		{name: "modified", args: []string{"--dry-run", "patch"}, code: 2, want: "M LICENSE",
			setup: func(t *testing.T, dir string) { writeFile(t, filepath.Join(dir, "LICENSE"), "changed") }},
		{name: "bad bump", args: []string{"minro"}, code: 2, want: `"minro" is not patch, minor, major`},
		{name: "not after", args: []string{"1.2.3"}, code: 2, want: "not after 1.2.3"},
		{name: "no bump", args: []string{"--dry-run"}, code: 2, want: "say which release"},
		{name: "two bumps", args: []string{"patch", "minor"}, code: 2, want: "one version or bump only"},
		{name: "unknown option", args: []string{"--force", "patch"}, code: 2, want: "unknown option --force"},
		{name: "tag exists", args: []string{"1.4.0"}, code: 2, want: "tag v1.4.0 already exists",
			setup: func(t *testing.T, dir string) {
				// On another branch, so the latest tag of HEAD is still v1.2.3.
				git(t, dir, "checkout", "-q", "-b", "side")
				writeFile(t, filepath.Join(dir, "CHANGES"), "side\n")
				git(t, dir, "commit", "-q", "-am", "side")
				git(t, dir, "tag", "v1.4.0")
				git(t, dir, "checkout", "-q", "-")
			}},
		{name: "build fails", args: []string{"patch"}, code: 1, want: "deleted tag v1.2.4 again",
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "broken.go"), "package main\n\nfunc broken() { undefinedThing() }\n")
				git(t, dir, "add", "-A")
				git(t, dir, "commit", "-q", "-m", "broken")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := gitProject(t, true, "v1.2.3")
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			before, beforeTree := gitState(t, dir), treeOf(t, dir)
			r := runScript(t, dir, releaseEnv(), "scripts/release.sh", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d (want %d), stderr does not say %q\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, tt.want, r.stdout, r.stderr)
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
