package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/delta"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/feed"
	"github.com/bundlekit/bundle/bundler/internal/osstep"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/runtimehooks/update/archive"
	updatefeed "github.com/bundlekit/bundle/runtimehooks/update/feed"
)

// DeltaFormat is a delta's format name in artifacts.json.
const DeltaFormat = "update-delta"

// previousRelease is update.delta_from: the previous release's dist and
// its feed, checked before dist is touched, and its archives for this
// build's targets, copied as they were checked and unpacked, by file name.
type previousRelease struct {
	dir      string
	feed     *updatefeed.Feed
	unpacked map[string]string
}

// readPrevious reads and checks the previous release's feed (signed by a
// key update.public_keys lists, of this app, of a lower version), and
// unpacks its archives that install a target of jobs as a folder or a
// .app bundle, each checked against the feed as it is copied. An archive
// the folder lacks gets no delta: a split job's dist holds its own
// targets only.
func (r *runner) readPrevious(trusted []updatefeed.PublicKey, jobs []osstep.Job) (*previousRelease, error) {
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
	prevVersion, err := updatefeed.ParseVersion(f.Version)
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
	case prevVersion.Compare(now) >= 0:
		return nil, fail("%s in %s is of version %s, not older than %s; point it at the release before this one", name, u.DeltaFrom, f.Version, r.v)
	}
	prev := &previousRelease{dir: dir, feed: f, unpacked: map[string]string{}}
	for _, file := range f.Files {
		if file.Kind != updatefeed.Portable && file.Kind != updatefeed.App || !builds(jobs, file) {
			continue
		}
		if _, err := os.Lstat(filepath.Join(dir, file.Name)); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		work := filepath.Join(r.work, "delta-previous")
		if err := os.MkdirAll(work, 0o700); err != nil {
			return nil, err
		}
		copied := filepath.Join(work, file.Name)
		out, err := os.Create(copied)
		if err != nil {
			return nil, err
		}
		ok, err := artifact.CopyVerified(out, dir, file.Name, file.SHA256)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		switch {
		case err != nil:
			return nil, fail("%s in %s: %v", file.Name, u.DeltaFrom, err)
		case !ok:
			return nil, fail("%s in %s does not match its sha256 in the previous feed", file.Name, u.DeltaFrom)
		}
		// Unpacked by the client's own code, so the delta is made
		// between the files installs have.
		unpacked := filepath.Join(work, file.Name+".d")
		if err := archive.Extract(copied, file.Format, unpacked); err != nil {
			return nil, fail("%s in %s: %v", file.Name, u.DeltaFrom, err)
		}
		os.Remove(copied)
		prev.unpacked[file.Name] = unpacked
	}
	return prev, nil
}

// builds reports whether jobs make f's target in f's format (a universal
// macOS file: any of its OS's targets, which it is merged from).
func builds(jobs []osstep.Job, f updatefeed.File) bool {
	for _, j := range jobs {
		arch := j.Target.Arch == f.Arch || f.Arch == "universal"
		if j.Target.OS == f.OS && arch && slices.ContainsFunc(j.Formats, func(p packager.Format) bool { return p.Name() == f.Format }) {
			return true
		}
	}
	return false
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
		oldDir, ok := prev.unpacked[old.Name]
		if !ok {
			continue
		}
		work := filepath.Join(r.work, "delta", a.Path)
		newDir := filepath.Join(work, "new")
		if err := archive.Extract(filepath.Join(r.dist, a.Path), a.Format, newDir); err != nil {
			return nil, nil, fmt.Errorf("update delta: %s: %w", a.Path, err)
		}
		name := a.Path + ".from-" + prev.feed.Version + ".delta"
		size, sum, err := r.writeArtifact(ctx, name, func(w io.Writer) error {
			return delta.Write(ctx, w, oldDir, newDir)
		})
		os.RemoveAll(work)
		os.RemoveAll(oldDir)
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
