package version

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/vcs"
)

// Sources are the places a version can come from, highest precedence first.
type Sources struct {
	Flag     string // --version
	Env      string // $BUNDLE_VERSION
	Config   string // version: in bundle.yaml
	Snapshot bool   // --snapshot: a pre-release after the latest version
	Dir      string // the project directory, for git
}

// Resolved is the version a build uses and where it came from.
type Resolved struct {
	Version *semver.Version
	Source  string // "--version", "$BUNDLE_VERSION", "bundle.yaml", "git tag v1.2.3", "snapshot"
}

// Resolve picks the version: --version, then $BUNDLE_VERSION, then the
// config, then a git tag at HEAD. With Snapshot it returns the next patch
// after that version (or after the latest tag) with the pre-release
// "snapshot.<short sha>", which is a valid semantic version that sorts
// before the release it leads to.
func Resolve(ctx context.Context, s Sources) (Resolved, error) {
	explicit := []struct{ value, source string }{
		{s.Flag, "--version"},
		{s.Env, "$BUNDLE_VERSION"},
		{s.Config, "bundle.yaml"},
	}
	for _, e := range explicit {
		if e.value == "" {
			continue
		}
		v, err := Parse(e.value)
		if err != nil {
			return Resolved{}, fmt.Errorf("%s: %w", e.source, err)
		}
		if s.Snapshot {
			return snapshot(ctx, s.Dir, v), nil
		}
		return Resolved{Version: v, Source: e.source}, nil
	}

	if tag, ok := vcs.ExactTag(ctx, s.Dir); ok && !s.Snapshot {
		v, err := Parse(tag)
		if err != nil {
			return Resolved{}, fmt.Errorf("git tag at HEAD: %w", err)
		}
		return Resolved{Version: v, Source: "git tag " + tag}, nil
	}
	latest, hasTag := vcs.LatestTag(ctx, s.Dir)
	if s.Snapshot {
		base := semver.New(0, 0, 0, "", "")
		if hasTag {
			if v, err := Parse(latest); err == nil {
				base = v
			}
		}
		return snapshot(ctx, s.Dir, base), nil
	}
	if hasTag {
		return Resolved{}, fmt.Errorf("HEAD is not tagged (the latest tag is %s); tag the release, pass --version X.Y.Z, or build a pre-release with --snapshot", latest)
	}
	return Resolved{}, errors.New("no version: pass --version X.Y.Z, set $BUNDLE_VERSION or version: in bundle.yaml, tag HEAD in git, or use --snapshot")
}

func snapshot(ctx context.Context, dir string, base *semver.Version) Resolved {
	next := *base
	if base.Prerelease() == "" {
		next = base.IncPatch()
	}
	pre := snapshotID
	if sha, ok := vcs.ShortSHA(ctx, dir); ok {
		pre += "." + identifier(sha)
	}
	v := semver.New(next.Major(), next.Minor(), next.Patch(), pre, "")
	return Resolved{Version: v, Source: "snapshot"}
}

// snapshotID begins the pre-release of every version --snapshot makes.
const snapshotID = "snapshot"

// IsSnapshot reports whether v is a version --snapshot makes: X.Y.Z-snapshot
// outside git, X.Y.Z-snapshot.<short sha> in a git checkout.
func IsSnapshot(v string) bool {
	sv, err := Parse(v)
	if err != nil {
		return false
	}
	pre := sv.Prerelease()
	return pre == snapshotID || strings.HasPrefix(pre, snapshotID+".")
}

// identifier makes a short hash safe as a semver pre-release identifier: a
// purely numeric identifier must not have a leading zero, and a hash such as
// "0123456" would be one.
func identifier(sha string) string {
	if strings.IndexFunc(sha, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
		return "g" + sha
	}
	return sha
}
