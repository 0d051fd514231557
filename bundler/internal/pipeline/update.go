package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/feed"
	"github.com/bundlekit/bundle/bundler/internal/osstep"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	updatefeed "github.com/bundlekit/bundle/runtimehooks/update/feed"
)

// updateFeed is the update section's signer and the feed's first check,
// made before dist is touched: a missing key or a feed that would expire
// at birth stops the build with nothing written.
type updateFeed struct {
	signer   *feed.Signer
	kinds    map[string]updatefeed.Kind
	previous *previousRelease // update.delta_from, when set
}

// prepareFeed returns nil when bundle.yaml has no update section.
func (r *runner) prepareFeed(registry []packager.Format, jobs []osstep.Job) (*updateFeed, error) {
	u := r.p.Config.Update
	if u == nil {
		return nil, nil
	}
	s, err := feed.SignerFromConfig(u, os.Getenv)
	if err != nil {
		return nil, err
	}
	kinds := map[string]updatefeed.Kind{}
	for _, f := range registry {
		if i, ok := f.(packager.Installer); ok {
			kinds[f.Name()] = i.InstallKind()
		}
	}
	if _, err := feed.Expires(u, r.mtime, time.Now()); err != nil {
		return nil, err
	}
	installs := slices.ContainsFunc(jobs, func(j osstep.Job) bool {
		return slices.ContainsFunc(j.Formats, func(f packager.Format) bool { _, ok := kinds[f.Name()]; return ok })
	})
	if !installs {
		return nil, feed.ErrNoFiles
	}
	uf := &updateFeed{signer: s, kinds: kinds}
	if u.DeltaFrom != "" {
		if uf.previous, err = r.readPrevious(s.Trusted, jobs); err != nil {
			return nil, err
		}
	}
	return uf, nil
}

// writeFeed writes the deltas from the previous release, then the feed of
// every artifact dist will list (those this build made and those it
// carried), and its signature, last: every file it lists is final by now,
// code-signed, notarized and stapled.
func (r *runner) writeFeed(ctx context.Context, uf *updateFeed, all []artifact.Artifact) ([]artifact.Artifact, error) {
	u := r.p.Config.Update
	deltas, made, err := r.writeDeltas(ctx, uf, all)
	if err != nil {
		return nil, err
	}
	for _, channel := range feed.Channels(u, r.v) {
		f, err := feed.Make(u, channel, feed.Release{App: r.p.Config.Name, Version: r.v, Released: r.mtime, Kinds: uf.kinds, Artifacts: all, Deltas: deltas}, time.Now())
		if err != nil {
			return nil, err
		}
		data, err := f.Marshal()
		if err != nil {
			return nil, err
		}
		name := feed.Name(channel)
		sig := uf.signer.Sign(name, r.mtime.Unix(), data)
		for _, file := range []struct {
			name, format string
			data         []byte
		}{{name, feed.FeedFormat, data}, {name + ".minisig", feed.SignatureFormat, sig}} {
			size, sum, err := r.writeArtifact(ctx, file.name, func(w io.Writer) error {
				_, err := w.Write(file.data)
				return err
			})
			if err != nil {
				return nil, fmt.Errorf("update feed: %w", err)
			}
			a := artifact.Artifact{Path: file.name, OS: "all", Arch: "all", Format: file.format, Size: size, SHA256: sum}
			made = append(made, a)
			r.emit(Event{Kind: Packaged, Target: platform.Target{OS: "all", Arch: "all"}, Format: file.format, Artifact: a})
		}
	}
	return made, nil
}

// withoutFeeds leaves out earlier feeds and deltas: a build writes its
// own, the deltas of the archives it carries included.
func withoutFeeds(list []artifact.Artifact) []artifact.Artifact {
	return slices.DeleteFunc(list, func(a artifact.Artifact) bool {
		return a.Format == feed.FeedFormat || a.Format == feed.SignatureFormat || a.Format == DeltaFormat
	})
}
