// Package merge joins the dists of a CI matrix's split jobs: the files,
// through artifact.Merge, and the jobs' update feeds, which it checks,
// joins and signs again.
package merge

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/feed"
	"github.com/bundlekit/bundle/bundler/internal/formats"
)

// Options are Run's settings besides its inputs and dist.
type Options struct {
	// Clean first removes what earlier builds wrote in dist.
	Clean bool
	// Config is the bundle.yaml whose update section signs the joined
	// update feeds; read only when the inputs hold feeds.
	Config string
	// Waiting is called once when another build holds dist's lock.
	Waiting func()
}

// Run joins the dists of a CI matrix's jobs (each built with --split)
// into dist. Each job's update feed lists that job's files only: merge
// checks their signatures, joins them into one feed per channel listing
// every file, and signs it with the update key of o.Config.
func Run(ctx context.Context, inputs []string, dist string, o Options) (artifact.Manifest, error) {
	parts, err := feedParts(inputs)
	if err != nil {
		return artifact.Manifest{}, err
	}
	opts := artifact.MergeOptions{Clean: o.Clean, Waiting: o.Waiting}
	if len(parts) > 0 {
		signer, err := mergeSigner(o.Config, parts)
		if err != nil {
			return artifact.Manifest{}, err
		}
		opts.Joined = isFeed
		opts.Join = func(artifact.Manifest) ([]artifact.Made, error) { return joinFeeds(parts, signer) }
	}
	return artifact.Merge(ctx, inputs, dist, opts)
}

func isFeed(a artifact.Artifact) bool {
	return a.Format == feed.FeedFormat || a.Format == feed.SignatureFormat
}

// maxFeed bounds what merge reads of a feed or its signature: a feed of
// a few dozen files is a few kilobytes.
const maxFeed = 1 << 20

// feedParts reads the update feeds of the inputs, by channel, in channel
// order of the first input. Every input that has feeds must have the same
// channels; one without any (a job whose formats install nothing) is left
// out.
func feedParts(inputs []string) (map[string][]feed.Part, error) {
	parts := map[string][]feed.Part{}
	var first string
	var channels []string
	for _, in := range inputs {
		m, err := artifact.ReadManifest(in)
		if err != nil || m == nil {
			continue // artifact.Merge says why it cannot be read
		}
		var names []string
		for _, a := range m.Artifacts {
			if a.Format != feed.FeedFormat {
				continue
			}
			data, err := artifact.ReadSmall(in, a.Path, maxFeed)
			if err != nil {
				return nil, exitcode.Config(fmt.Errorf("merge: %s in %s: %v", a.Path, in, err))
			}
			sig, err := artifact.ReadSmall(in, a.Path+".minisig", maxFeed)
			if err != nil {
				return nil, exitcode.Config(fmt.Errorf("merge: %s.minisig in %s: %v; every feed needs its signature", a.Path, in, err))
			}
			parts[a.Path] = append(parts[a.Path], feed.Part{From: in, Name: a.Path, Data: data, Sig: sig, Listed: m.Artifacts})
			names = append(names, a.Path)
		}
		switch {
		case len(names) == 0:
		case channels == nil:
			first, channels = in, names
		case fmt.Sprint(names) != fmt.Sprint(channels):
			return nil, exitcode.Config(fmt.Errorf("merge: %s holds the feeds %v but %s holds %v; build every job of a release with one bundle.yaml", in, names, first, channels))
		}
	}
	return parts, nil
}

// mergeSigner reads the update key that signs the joined feeds.
func mergeSigner(path string, parts map[string][]feed.Part) (*feed.Signer, error) {
	example := parts[slices.Sorted(maps.Keys(parts))[0]][0]
	if path == "" {
		path = "bundle.yaml"
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, exitcode.Config(fmt.Errorf("merge: %s in %s is a split job's update feed, which merge joins and signs again with the update key; pass --config with the release's bundle.yaml (%s does not exist)", example.Name, example.From, path))
	}
	p, err := config.Load(path, formats.Known())
	if err != nil {
		return nil, err
	}
	u := p.Config.Update
	if u == nil {
		return nil, exitcode.Config(fmt.Errorf("merge: %s in %s is an update feed, but %s has no update: section to sign the joined feed with; pass --config with the release's bundle.yaml", example.Name, example.From, path))
	}
	return feed.SignerFromConfig(u, os.Getenv)
}

// joinFeeds joins each channel's feeds and signs the result.
func joinFeeds(parts map[string][]feed.Part, s *feed.Signer) ([]artifact.Made, error) {
	var made []artifact.Made
	for _, name := range slices.Sorted(maps.Keys(parts)) {
		f, err := feed.Join(parts[name], s.Trusted)
		if err != nil {
			return nil, err
		}
		data, err := f.Marshal()
		if err != nil {
			return nil, err
		}
		made = append(made,
			artifact.Made{Artifact: artifact.Artifact{Path: name, OS: "all", Arch: "all", Format: feed.FeedFormat}, Data: data},
			artifact.Made{Artifact: artifact.Artifact{Path: name + ".minisig", OS: "all", Arch: "all", Format: feed.SignatureFormat}, Data: s.Sign(name, f.Released.Unix(), data)})
	}
	return made, nil
}
