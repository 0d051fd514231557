package feed

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	updatefeed "github.com/bundlekit/bundle/runtimehooks/update/feed"
)

// Part is one split job's feed of one channel, as merge reads it from the
// job's dist, with the job's manifest.
type Part struct {
	From      string // the job's dist folder, for messages
	Name      string // update-<channel>.json
	Data, Sig []byte
	Listed    []artifact.Artifact // the job's artifacts.json
}

// Join checks the feeds that the split jobs of one release wrote for one
// channel and returns the feed listing the files of all of them. Each part
// must be signed by one of trusted (a job's dist is input like any other),
// list only files its own manifest lists with the same size and hash, and
// agree with the others on everything but its files: a different version,
// time, expiry or rollout means the jobs were not one release.
func Join(parts []Part, trusted []updatefeed.PublicKey) (*updatefeed.Feed, error) {
	var joined *updatefeed.Feed
	var first Part
	from := map[string]string{} // file name -> the job that lists it
	for _, p := range parts {
		if _, err := updatefeed.VerifySignature(p.Data, p.Sig, trusted); err != nil {
			return nil, exitcode.Config(fmt.Errorf("merge: %s in %s: its signature does not verify with update.public_keys (%v); rebuild that job", p.Name, p.From, err))
		}
		f, err := updatefeed.ParseFeed(p.Data)
		if err != nil {
			return nil, exitcode.Config(fmt.Errorf("merge: %s in %s: %v", p.Name, p.From, err))
		}
		for _, file := range f.Files {
			i := slices.IndexFunc(p.Listed, func(a artifact.Artifact) bool { return a.Path == file.Name })
			if i < 0 || p.Listed[i].Size != file.Size || p.Listed[i].SHA256 != file.SHA256 {
				return nil, exitcode.Config(fmt.Errorf("merge: %s in %s lists %s, which its %s does not list with that size and sha256; rebuild that job", p.Name, p.From, file.Name, artifact.ManifestName))
			}
			if other, dup := from[file.Name]; dup {
				return nil, exitcode.Config(fmt.Errorf("merge: %s is listed in the %s of both %s and %s; give each build its own --target", file.Name, p.Name, other, p.From))
			}
			from[file.Name] = p.From
		}
		if joined == nil {
			joined, first = f, p
			continue
		}
		if field := differs(joined, f); field != "" {
			return nil, exitcode.Config(fmt.Errorf("merge: the %s of %s and of %s differ in %s; build every job of a release from one commit and one bundle.yaml", p.Name, first.From, p.From, field))
		}
		joined.Files = append(joined.Files, f.Files...)
	}
	if joined == nil {
		return nil, fmt.Errorf("merge: no feed to join")
	}
	// In name order, as a build that made every file writes them.
	slices.SortFunc(joined.Files, func(a, b updatefeed.File) int { return strings.Compare(a.Name, b.Name) })
	return joined, nil
}

// differs names the first field other than the files in which two feeds
// differ, or returns "".
func differs(a, b *updatefeed.Feed) string {
	switch {
	case a.App != b.App:
		return "app"
	case a.Channel != b.Channel:
		return "channel"
	case a.Version != b.Version:
		return "version"
	case !a.Released.Equal(b.Released):
		return "released (the source time)"
	case !a.Expires.Equal(b.Expires):
		return "expires (update.expires_days)"
	case a.MinVersion != b.MinVersion:
		return "min_version"
	case a.Critical != b.Critical:
		return "critical"
	case a.Rollout != b.Rollout:
		return "rollout"
	}
	return ""
}
