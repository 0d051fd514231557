// Package feed writes an app's update feed: update-<channel>.json, which
// lists the release's installable files with their sizes and hashes, and
// update-<channel>.json.minisig, its minisign signature. The pipeline
// writes both after every other artifact is finished (code-signed,
// notarized, stapled), so the hashes are those of the files users get.
// The feed's layout is runtimehooks/update's, the client that reads it.
package feed

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/formats/msi"
	updatefeed "github.com/bundlekit/bundle/runtimehooks/update/feed"
)

// Format names of the feed and its signature in artifacts.json.
const (
	FeedFormat      = "update-feed"
	SignatureFormat = "update-feed-signature"
)

// Name is the feed's file name for channel; its signature is Name + ".minisig".
func Name(channel string) string { return "update-" + channel + ".json" }

// Channel is update.channel, or its default: beta for a pre-release, stable
// otherwise.
func Channel(u *config.Update, v *semver.Version) string {
	switch {
	case u.Channel != "":
		return u.Channel
	case v.Prerelease() != "":
		return "beta"
	}
	return "stable"
}

// Ldflags sets runtimehooks/update's defaults in an app that imports it:
// the version always (updatefeed.RunningVersion, and Healthy, rely on it), and
// with an update section the app's name, the trusted keys, the channel,
// the feed's URL and the registry key an MSI install records its folder
// under. The linker ignores them in an app that does not import the
// package, so other apps' bytes do not change.
func Ldflags(c *config.Config, v *semver.Version) []string {
	const pkg = "github.com/bundlekit/bundle/runtimehooks/update."
	flags := []string{"-X=" + pkg + "builtVersion=" + v.String()}
	u := c.Update
	if u == nil {
		return flags
	}
	channel := Channel(u, v)
	flags = append(flags,
		// Query-escaped: a display name may hold both kinds of quote,
		// which no quoting of -ldflags can carry.
		"-X="+pkg+"builtApp="+url.QueryEscape(c.Name),
		"-X="+pkg+"builtMSIKey="+url.QueryEscape(msi.AppKey(*c)),
		"-X="+pkg+"builtKeys="+strings.Join(u.PublicKeys, ","),
		"-X="+pkg+"builtChannel="+channel,
	)
	if u.FeedURL != "" {
		flags = append(flags, "-X="+pkg+"builtFeedURL="+strings.ReplaceAll(u.FeedURL, "{channel}", channel))
	}
	return flags
}

// Channels are the channels whose feeds list a release: its own, and, for
// a release on the default stable channel, beta too, so an install that
// follows beta is offered the release that ends its pre-releases.
func Channels(u *config.Update, v *semver.Version) []string {
	c := Channel(u, v)
	if u.Channel == "" && c == "stable" {
		return []string{"stable", "beta"}
	}
	return []string{c}
}

// Release is what a feed describes.
type Release struct {
	App      string
	Version  *semver.Version
	Released time.Time // the build's source time, so the feed is reproducible
	// Kinds gives the install kind of each format that installs the app;
	// artifacts of other formats are left out.
	Kinds     map[string]updatefeed.Kind
	Artifacts []artifact.Artifact
	// Deltas gives, by artifact path, the delta from the previous
	// release to that artifact's files: its From, Name, Size and SHA256
	// (Make sets its URL).
	Deltas map[string]updatefeed.Delta
}

// Expires is when a feed released at released expires. It refuses a feed
// that would have expired by now, whose clients would refuse it too, and
// one released more than a day from now (a source time in milliseconds,
// say), whose time would make every later feed look like a replay.
func Expires(u *config.Update, released, now time.Time) (time.Time, error) {
	if released.After(now.Add(24 * time.Hour)) {
		return time.Time{}, exitcode.Config(fmt.Errorf("update: the source time %s is in the future; check SOURCE_DATE_EPOCH (seconds since 1970)", released.Format(time.RFC3339)))
	}
	expires := released.AddDate(0, 0, u.Expiry())
	if !expires.After(now) {
		return time.Time{}, exitcode.Config(fmt.Errorf("update.expires_days: the feed would expire on %s, %d days after the source time %s, which has passed; raise expires_days or build from a newer commit (SOURCE_DATE_EPOCH)",
			expires.Format(time.DateOnly), u.Expiry(), released.Format(time.DateOnly)))
	}
	return expires, nil
}

// Make builds the feed of r on channel as u configures it.
func Make(u *config.Update, channel string, r Release, now time.Time) (*updatefeed.Feed, error) {
	expires, err := Expires(u, r.Released, now)
	if err != nil {
		return nil, err
	}
	base := strings.ReplaceAll(u.URL, "{version}", r.Version.String())
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	f := &updatefeed.Feed{
		Format: updatefeed.FeedFormat, App: r.App, Channel: channel, Version: r.Version.String(),
		Released: r.Released.UTC(), Expires: expires.UTC(), MinVersion: u.MinVersion,
		Critical: u.Critical, Rollout: u.Percent(), Files: []updatefeed.File{},
	}
	// In name order, whatever order the build made them in, so the feed
	// is the same on every build.
	list := slices.SortedFunc(slices.Values(r.Artifacts), func(a, b artifact.Artifact) int { return strings.Compare(a.Path, b.Path) })
	for _, a := range list {
		kind, ok := r.Kinds[a.Format]
		if !ok {
			continue
		}
		file := updatefeed.File{
			OS: a.OS, Arch: a.Arch, Kind: kind, Format: a.Format, Name: a.Path,
			URL: base + url.PathEscape(a.Path), Size: a.Size, SHA256: a.SHA256,
		}
		if d, ok := r.Deltas[a.Path]; ok {
			d.URL = base + url.PathEscape(d.Name)
			file.Delta = &d
		}
		f.Files = append(f.Files, file)
	}
	if len(f.Files) == 0 {
		return nil, ErrNoFiles
	}
	return f, nil
}

// ErrNoFiles is Make's error for a release with no file that installs the
// app.
var ErrNoFiles = exitcode.Config(errors.New("update: no artifact of this build installs the app (tar.gz, zip, app, nsis, msi or a Linux package), so the feed would list nothing; add one to formats:"))
