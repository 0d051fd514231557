package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/delta"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/feed"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/runtimehooks/update/archive"
	updatefeed "github.com/bundlekit/bundle/runtimehooks/update/feed"
)

// DeltaFormat is a delta's format name in artifacts.json.
const DeltaFormat = "update-delta"

// previousRelease is update.delta_from: the previous release's dist and
// its feed, checked before dist is touched.
type previousRelease struct {
	dir  string
	feed *updatefeed.Feed
}

// readPrevious reads and checks the previous release's feed: signed by a
// key update.public_keys lists, of this app, of a lower version.
func (r *runner) readPrevious(trusted []updatefeed.PublicKey) (*previousRelease, error) {
	u := r.p.Config.Update
	dir := u.DeltaFrom
	if !filepath.IsAbs(dir) {
		dir = r.p.Abs(dir)
	}
	channel := feed.Channel(u, r.v)
	name := feed.Name(channel)
	fail := func(format string, args ...any) error {
		return exitcode.Config(fmt.Errorf("update.delta_from: "+format, args...))
	}
	data, err := artifact.ReadSmall(dir, name, 4<<20)
	if err != nil {
		return nil, fail("%s holds no readable %s (%v); point it at the previous release's dist", u.DeltaFrom, name, err)
	}
	sig, err := artifact.ReadSmall(dir, name+".minisig", 4<<10)
	if err != nil {
		return nil, fail("%s has no signature beside %s (%v)", u.DeltaFrom, name, err)
	}
	if _, err := updatefeed.VerifySignature(data, sig, trusted); err != nil {
		return nil, fail("%s in %s does not verify with update.public_keys (%v)", name, u.DeltaFrom, err)
	}
	f, err := updatefeed.ParseFeed(data)
	if err != nil {
		return nil, fail("%s in %s: %v", name, u.DeltaFrom, err)
	}
	prev, err := updatefeed.ParseVersion(f.Version)
	if err != nil {
		return nil, fail("%s in %s: %v", name, u.DeltaFrom, err)
	}
	now, err := updatefeed.ParseVersion(r.v.String())
	if err != nil {
		return nil, err
	}
	switch {
	case f.App != r.p.Config.Name:
		return nil, fail("%s in %s is the feed of %q, not of %q", name, u.DeltaFrom, f.App, r.p.Config.Name)
	case prev.Compare(now) >= 0:
		return nil, fail("%s in %s is of version %s, not older than %s; point it at the release before this one", name, u.DeltaFrom, f.Version, r.v)
	}
	return &previousRelease{dir: dir, feed: f}, nil
}

// writeDeltas writes, for each archive of this build that installs the
// app as a folder or a .app bundle and has a counterpart in the previous
// release (same OS, arch, kind and format), the delta between the two,
// into dist. It returns the deltas by artifact path, for the feed, and
// their artifacts.
func (r *runner) writeDeltas(ctx context.Context, uf *updateFeed, all []artifact.Artifact) (map[string]updatefeed.Delta, []artifact.Artifact, error) {
	prev := uf.previous
	if prev == nil {
		return nil, nil, nil
	}
	deltas := map[string]updatefeed.Delta{}
	var made []artifact.Artifact
	for _, a := range all {
		kind := uf.kinds[a.Format]
		if kind != updatefeed.Portable && kind != updatefeed.App {
			continue
		}
		var old *updatefeed.File
		for i, f := range prev.feed.Files {
			if f.OS == a.OS && f.Arch == a.Arch && f.Kind == kind && f.Format == a.Format {
				old = &prev.feed.Files[i]
			}
		}
		if old == nil {
			continue
		}
		sum, err := artifact.SHA256File(prev.dir, old.Name)
		if err != nil || sum != old.SHA256 {
			return nil, nil, exitcode.Config(fmt.Errorf("update.delta_from: %s in %s is missing or does not match its sha256 in the previous feed", old.Name, r.p.Config.Update.DeltaFrom))
		}
		work := filepath.Join(r.work, "delta", a.Path)
		oldDir, newDir := filepath.Join(work, "old"), filepath.Join(work, "new")
		// Unpacked by the client's own code, so the delta is made
		// between the files installs have.
		if err := archive.Extract(filepath.Join(prev.dir, old.Name), old.Format, oldDir); err != nil {
			return nil, nil, fmt.Errorf("update delta: %s: %w", old.Name, err)
		}
		if err := archive.Extract(filepath.Join(r.dist, a.Path), a.Format, newDir); err != nil {
			return nil, nil, fmt.Errorf("update delta: %s: %w", a.Path, err)
		}
		name := a.Path + ".from-" + prev.feed.Version + ".delta"
		size, sum, err := r.writeArtifact(ctx, name, func(w io.Writer) error {
			return delta.Write(ctx, w, oldDir, newDir)
		})
		os.RemoveAll(work)
		if err != nil {
			return nil, nil, fmt.Errorf("update delta %s: %w", name, err)
		}
		d := artifact.Artifact{Path: name, OS: a.OS, Arch: a.Arch, Format: DeltaFormat, Size: size, SHA256: sum}
		made = append(made, d)
		deltas[a.Path] = updatefeed.Delta{From: prev.feed.Version, Name: name, Size: size, SHA256: sum}
		r.emit(Event{Kind: Packaged, Target: platform.Target{OS: a.OS, Arch: a.Arch}, Format: DeltaFormat, Artifact: d})
	}
	return deltas, made, nil
}
