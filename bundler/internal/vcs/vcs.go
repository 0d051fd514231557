// Package vcs asks git about the project: the tag at HEAD, the short commit
// hash and the commit time. Every function treats "not a git checkout" and
// "git not installed" as "no answer" (ok == false), because a project
// without git is normal and the caller decides whether that matters.
package vcs

import (
	"bytes"
	"context"
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
