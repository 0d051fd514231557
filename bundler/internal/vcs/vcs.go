// Package vcs asks git about the project: the tag at HEAD, the short commit
// hash and the commit time. Every function treats "not a git checkout" and
// "git not installed" as "no answer" (ok == false), because a project
// without git is normal and the caller decides whether that matters.
package vcs

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/proc"
)

func git(ctx context.Context, dir string, args ...string) (string, bool) {
	cmd := proc.Command(ctx, "git", args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return "", false
	}
	return strings.TrimSpace(out.String()), true
}

// ExactTag returns the tag pointing at HEAD, if any.
func ExactTag(ctx context.Context, dir string) (string, bool) {
	return git(ctx, dir, "describe", "--tags", "--exact-match", "HEAD")
}

// LatestTag returns the nearest tag reachable from HEAD, if any.
func LatestTag(ctx context.Context, dir string) (string, bool) {
	return git(ctx, dir, "describe", "--tags", "--abbrev=0", "HEAD")
}

// ShortSHA returns the abbreviated hash of HEAD.
func ShortSHA(ctx context.Context, dir string) (string, bool) {
	return git(ctx, dir, "rev-parse", "--short", "HEAD")
}

// CommitTime returns the committer time of HEAD.
func CommitTime(ctx context.Context, dir string) (time.Time, bool) {
	s, ok := git(ctx, dir, "log", "-1", "--format=%ct", "HEAD")
	if !ok {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, 0).UTC(), true
}

// Ignores reports whether git ignores path (relative to dir) in dir's work
// tree, by any of its rules: a .gitignore, .git/info/exclude or the user's
// excludes file.
func Ignores(ctx context.Context, dir, path string) (ignored, ok bool) {
	cmd := proc.Command(ctx, "git", "check-ignore", "-q", "--", path)
	cmd.Dir = dir
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, true
	case errors.As(err, &exit) && exit.ExitCode() == 1: // not ignored; 128 is outside a work tree
		return false, true
	}
	return false, false
}

// Changes returns the subjects of the commits after the tag before ref
// (all of ref's history when there is none), newest first, as Markdown
// list items, at most 200 of them: release notes when none are written.
// Merge commits are left out.
func Changes(ctx context.Context, dir, ref string) (string, bool) {
	if strings.HasPrefix(ref, "-") {
		return "", false
	}
	if _, ok := git(ctx, dir, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); !ok {
		return "", false
	}
	span := ref
	if prev, ok := git(ctx, dir, "describe", "--tags", "--abbrev=0", ref+"^"); ok {
		span = prev + ".." + ref
	}
	log, ok := git(ctx, dir, "log", "--no-merges", "--max-count=200", "--format=- %s (%h)", span, "--")
	return log, ok
}

// Commit returns the full hash of the commit ref names.
func Commit(ctx context.Context, dir, ref string) (string, bool) {
	if strings.HasPrefix(ref, "-") {
		return "", false
	}
	return git(ctx, dir, "rev-parse", "--verify", "--quiet", ref+"^{commit}")
}
