package vcs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/internal/testgit"
)

// answer is what every function of the package says about one folder.
type answer struct {
	exact, latest string // "" for no answer
	sha, time     bool   // whether ShortSHA and CommitTime answer
}

func TestAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) // nil leaves an empty folder
		want  answer
	}{
		{name: "not a git checkout", want: answer{}},
		{name: "no commit yet", setup: func(t *testing.T, dir string) { testgit.Run(t, dir, "init", "-q") }, want: answer{}},
		{name: "no tag", setup: func(t *testing.T, dir string) { testgit.History(t, dir, true) },
			want: answer{sha: true, time: true}},
		{name: "tag at HEAD", setup: func(t *testing.T, dir string) { testgit.History(t, dir, false, "v1.0.0", "v1.2.3") },
			want: answer{exact: "v1.2.3", latest: "v1.2.3", sha: true, time: true}},
		{name: "commit after the tag", setup: func(t *testing.T, dir string) { testgit.History(t, dir, true, "v1.0.0", "v1.2.3") },
			want: answer{latest: "v1.2.3", sha: true, time: true}},
		{name: "untagged commit between tags", setup: func(t *testing.T, dir string) { testgit.History(t, dir, false, "v1.0.0", "", "v2.0.0") },
			want: answer{exact: "v2.0.0", latest: "v2.0.0", sha: true, time: true}},
		{name: "lightweight tag", setup: func(t *testing.T, dir string) {
			testgit.History(t, dir, true, "v1.0.0")
			testgit.Run(t, dir, "tag", "nightly")
		}, want: answer{exact: "nightly", latest: "nightly", sha: true, time: true}},
		{name: "tag on another branch", setup: func(t *testing.T, dir string) {
			testgit.History(t, dir, true, "v1.0.0")
			testgit.Run(t, dir, "checkout", "-q", "-b", "side")
			testgit.Run(t, dir, "commit", "-q", "--allow-empty", "-m", "side")
			testgit.Run(t, dir, "tag", "v9.0.0")
			testgit.Run(t, dir, "checkout", "-q", "-")
		}, want: answer{latest: "v1.0.0", sha: true, time: true}},
	}
	ctx := context.Background()
	commitTime, err := time.Parse(time.RFC3339, testgit.Date)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			exact, ok := ExactTag(ctx, dir)
			if exact != tt.want.exact || ok != (tt.want.exact != "") {
				t.Errorf("ExactTag = %q, %v; want %q", exact, ok, tt.want.exact)
			}
			latest, ok := LatestTag(ctx, dir)
			if latest != tt.want.latest || ok != (tt.want.latest != "") {
				t.Errorf("LatestTag = %q, %v; want %q", latest, ok, tt.want.latest)
			}
			sha, ok := ShortSHA(ctx, dir)
			if ok != tt.want.sha {
				t.Errorf("ShortSHA = %q, %v; want an answer: %v", sha, ok, tt.want.sha)
			}
			if ok {
				full := testgit.Run(t, dir, "rev-parse", "HEAD")
				if len(sha) < 4 || len(sha) >= len(full) || !strings.HasPrefix(full, sha) {
					t.Errorf("ShortSHA = %q, not an abbreviation of HEAD %s", sha, full)
				}
			}
			at, ok := CommitTime(ctx, dir)
			if ok != tt.want.time || (ok && !at.Equal(commitTime)) || (ok && at.Location() != time.UTC) {
				t.Errorf("CommitTime = %v, %v; want %v (UTC): %v", at, ok, commitTime, tt.want.time)
			}
		})
	}
}

// TestNoGit: without git on PATH, a checkout gets no answer, not an error.
func TestNoGit(t *testing.T) {
	dir := t.TempDir()
	testgit.History(t, dir, false, "v1.0.0")
	t.Setenv("PATH", t.TempDir())
	ctx := context.Background()
	if tag, ok := ExactTag(ctx, dir); ok {
		t.Errorf("ExactTag = %q without git", tag)
	}
	if tag, ok := LatestTag(ctx, dir); ok {
		t.Errorf("LatestTag = %q without git", tag)
	}
	if sha, ok := ShortSHA(ctx, dir); ok {
		t.Errorf("ShortSHA = %q without git", sha)
	}
	if at, ok := CommitTime(ctx, dir); ok {
		t.Errorf("CommitTime = %v without git", at)
	}
}

func TestIgnores(t *testing.T) {
	// Not parallel: the user's own excludes file must not answer.
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	write := func(t *testing.T, path, content string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name        string
		setup       func(t *testing.T, dir string) // nil leaves an empty folder
		ignored, ok bool
	}{
		{name: "not a git checkout"},
		{name: "nothing ignored", setup: func(t *testing.T, dir string) { testgit.Run(t, dir, "init", "-q") }, ok: true},
		{name: "in .gitignore", setup: func(t *testing.T, dir string) {
			testgit.Run(t, dir, "init", "-q")
			write(t, filepath.Join(dir, ".gitignore"), "*.log\ndist\n")
		}, ignored: true, ok: true},
		{name: "in .git/info/exclude", setup: func(t *testing.T, dir string) {
			testgit.Run(t, dir, "init", "-q")
			write(t, filepath.Join(dir, ".git", "info", "exclude"), "/dist/\n")
		}, ignored: true, ok: true},
		{name: "ignored, then not", setup: func(t *testing.T, dir string) {
			testgit.Run(t, dir, "init", "-q")
			write(t, filepath.Join(dir, ".gitignore"), "dist/\n!dist/\n")
		}, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			ignored, ok := Ignores(context.Background(), dir, "dist/")
			if ignored != tt.ignored || ok != tt.ok {
				t.Errorf("Ignores = %v, %v; want %v, %v", ignored, ok, tt.ignored, tt.ok)
			}
		})
	}
}

func TestChanges(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	if _, ok := Changes(ctx, dir, "HEAD"); ok {
		t.Errorf("changes outside a git checkout")
	}
	testgit.Run(t, dir, "init", "-q")
	commit := func(subject string) {
		testgit.Run(t, dir, "commit", "-q", "--allow-empty", "-m", subject)
	}
	commit("first")
	testgit.Run(t, dir, "tag", "v1.0.0")
	commit("Fix <b>the</b> \"crash\" on `start`")
	commit("Add a flag")
	testgit.Run(t, dir, "tag", "v1.1.0")
	commit("after the release")

	got, ok := Changes(ctx, dir, "v1.1.0")
	lines := strings.Split(got, "\n")
	if !ok || len(lines) != 2 || !strings.HasPrefix(lines[0], "- Add a flag (") || !strings.HasPrefix(lines[1], "- Fix <b>the</b> \"crash\" on `start` (") {
		t.Errorf("changes of v1.1.0: %q, %v", got, ok)
	}
	if got, ok := Changes(ctx, dir, "v1.0.0"); !ok || !strings.HasPrefix(got, "- first (") || strings.Contains(got, "\n") {
		t.Errorf("changes of the first tag: %q, %v", got, ok)
	}
	for _, ref := range []string{"v9.9.9", "--output=x"} {
		if got, ok := Changes(ctx, dir, ref); ok {
			t.Errorf("changes of %q: %q", ref, got)
		}
	}
	if sha, ok := Commit(ctx, dir, "v1.1.0"); !ok || len(sha) != 40 {
		t.Errorf("commit of v1.1.0: %q, %v", sha, ok)
	}
}
