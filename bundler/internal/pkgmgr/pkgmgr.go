// Package pkgmgr defines what a package manager's manifest is: one small
// interface that each manager's package implements (homebrew, scoop,
// winget, aur), listed once in bundler/internal/pkgmgrs. A manifest is
// written after every artifact is final, from the artifacts dist will
// list, and names each by its download address and SHA-256.
package pkgmgr

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
)

// Input is what a manifest is written from.
type Input struct {
	Config    config.Config
	Version   *semver.Version
	Artifacts []artifact.Artifact // every artifact dist will list
	// Base is the folder URL the artifacts are downloaded from, ending
	// in "/", its {version} replaced.
	Base string
}

// URL is the download address of an artifact.
func (in Input) URL(a artifact.Artifact) string { return in.Base + a.Path }

// Find returns the artifacts of format for goos, in dist's order.
func (in Input) Find(goos, format string) []artifact.Artifact {
	var out []artifact.Artifact
	for _, a := range in.Artifacts {
		if a.OS == goos && a.Format == format {
			out = append(out, a)
		}
	}
	return out
}

// Folder is the folder an archive of format tar.gz or zip unpacks into:
// its file name without the extension (bundle's archives hold one folder
// named after the artifact).
func Folder(a artifact.Artifact) string {
	return strings.TrimSuffix(strings.TrimSuffix(path.Base(a.Path), ".tar.gz"), ".zip")
}

// File is one file a manifest is made of.
type File struct {
	Name   string // its file name in dist
	Format string // its format in artifacts.json
	OS     string // the OS its package manager runs on
	Data   []byte
}

// Manager writes one package manager's manifest.
type Manager interface {
	// Name is its key under package_managers: in bundle.yaml.
	Name() string
	// Formats are its files' formats in artifacts.json.
	Formats() []string
	// OS is the operating system whose artifacts it lists.
	OS() string
	// Wanted reports whether bundle.yaml asks for it.
	Wanted(c config.Config) bool
	// CheckConfig checks what it needs of bundle.yaml, before the build
	// writes anything, and returns p.Errorf's error.
	CheckConfig(p *config.Project) error
	// Write makes the manifest's files. Without the artifacts it lists
	// (a build of other targets, such as one job of a split build) it
	// returns an error wrapping ErrNoArtifacts that says what it lists,
	// and the build goes on without it.
	Write(in Input) ([]File, error)
}

// BaseURL is the download folder of c's release v: package_managers.url,
// else update.url, with {version} replaced, ending in "/".
func BaseURL(c config.Config, v *semver.Version) (string, error) {
	u := c.PackageManagers.URL
	if u == "" && c.Update != nil {
		u = c.Update.URL
	}
	if u == "" {
		return "", fmt.Errorf("no download address")
	}
	u = strings.ReplaceAll(u, "{version}", v.String())
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u, nil
}

// CheckBase is the rule every manager shares: the release's download
// folder must be known.
func CheckBase(p *config.Project) error {
	if p.Config.PackageManagers.URL == "" && (p.Config.Update == nil || p.Config.Update.URL == "") {
		return p.Errorf("package_managers", "add url: with the folder the release's files are downloaded from, such as https://github.com/OWNER/REPO/releases/download/v{version}/")
	}
	return nil
}

// ErrNoArtifacts is what Write's error wraps when the build made none of
// the artifacts the manifest lists.
var ErrNoArtifacts = errors.New("no artifacts to list")

// Missing is Write's error for a build without the artifacts it lists.
func Missing(what string) error {
	return fmt.Errorf("%w: it lists %s, which this build does not make", ErrNoArtifacts, what)
}
