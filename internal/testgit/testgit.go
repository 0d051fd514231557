// Package testgit makes git repositories for tests, with an identity and a
// configuration of their own, so that neither the machine's nor the user's
// git config (commit signing, hooks, a default branch) applies.
package testgit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testtool"
)

// Date is the author and committer date of every commit Run makes, so
// that commit times are known to the tests.
const Date = "2026-01-01T00:00:00Z"

// Env is the environment git runs with in the tests: a fixed identity and
// date, and no global or system configuration.
func Env() []string {
	return []string{
		"GIT_AUTHOR_NAME=Release Test", "GIT_AUTHOR_EMAIL=release@example.com",
		"GIT_COMMITTER_NAME=Release Test", "GIT_COMMITTER_EMAIL=release@example.com",
		"GIT_AUTHOR_DATE=" + Date, "GIT_COMMITTER_DATE=" + Date,
		"GIT_CONFIG_GLOBAL=" + os.DevNull, "GIT_CONFIG_NOSYSTEM=1",
	}
}

// Run runs git in dir with Env and returns its trimmed output; a failure
// fails t.
func Run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), Env()...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// History makes dir a git repository of what it holds: one commit per
// entry of tags, tagged with it (annotated; "" for none), and one more
// commit after them when more is true or there are no tags. Each commit
// changes the file CHANGES.
func History(t testing.TB, dir string, more bool, tags ...string) {
	t.Helper()
	testtool.Need(t, "git", "git")
	Run(t, dir, "init", "-q")
	commit := func(msg string) {
		if err := os.WriteFile(filepath.Join(dir, "CHANGES"), []byte(msg+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		Run(t, dir, "add", "-A")
		Run(t, dir, "commit", "-q", "-m", msg)
	}
	for i, tag := range tags {
		commit("change " + string(rune('a'+i)))
		if tag != "" {
			Run(t, dir, "tag", "-a", tag, "-m", "Release "+tag)
		}
	}
	if more || len(tags) == 0 {
		commit("after the last tag")
	}
}
