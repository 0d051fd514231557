package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testgit"
)

// gitProject is a copy of testdata/project (with the minimal bundle.yaml)
// in a git repository: one commit per entry of tags, tagged with it ("" for
// none), and one more commit after them when more is true.
func gitProject(t *testing.T, more bool, tags ...string) string {
	t.Helper()
	dir := testfs.CopyProject(t, "testdata/project")
	testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), "testdata/config/good/minimal.yaml"), filepath.Join(dir, "bundle.yaml"))
	testgit.History(t, dir, more, tags...)
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
			r := runBundle(t, tt.dir, testgit.Env(), append([]string{"version"}, tt.args...)...)
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
