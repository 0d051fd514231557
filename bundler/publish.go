package bundler

import (
	"context"

	"github.com/bundlekit/bundle/bundler/internal/publish"
)

// PublishOptions say where and how Publish puts a dist.
type PublishOptions struct {
	Dist  string
	Forge string // "github" (the default) or "gitea"
	// API is the forge's API address; default: $GITHUB_API_URL or
	// https://api.github.com for GitHub; required for Gitea.
	API string
	// Repo is owner/name; default: $GITHUB_REPOSITORY.
	Repo string
	// Tag is the release's tag: v<version> by default; it must name the
	// version dist holds.
	Tag string
	// Notes is a file whose text becomes the release's; without one, the
	// subjects of the commits since the previous tag in Project's git
	// history are.
	Notes   string
	Project string // the project's folder, for its git history; default "."
	// Config is the bundle.yaml whose package_managers names the tap,
	// bucket and AUR package the manifests go to once the release is
	// out; default: Project's bundle.yaml, when there is one.
	Config string
	// Replace lets files on a draft that differ from dist, or are not in
	// it, be replaced or removed.
	Replace bool
	// Getenv reads the token and the CI variables; default os.Getenv.
	Getenv func(string) string
	// Say reports each step in one line.
	Say func(line string)
}

// PublishResult is what Publish did.
type PublishResult struct {
	Tag       string   `json:"tag"`
	URL       string   `json:"url"`
	Published bool     `json:"published"` // false: it was published before, with the same files
	Uploaded  []string `json:"uploaded"`
	Kept      []string `json:"kept"`
	Removed   []string `json:"removed"`
	Pushed    []string `json:"pushed"` // the repositories the manifests went to
}

// Publish puts the finished build in o.Dist on a forge as the release of
// its version: a draft, every file uploaded, the draft's files checked
// against artifacts.json, then published. Everything that can be checked
// here (the dist, the tag, the token, the repository) is checked before
// anything is uploaded, and is a usage error (exit 2). An interrupted or
// failed run leaves a draft that the next run completes; a run over a
// complete release changes nothing.
func Publish(ctx context.Context, o PublishOptions) (PublishResult, error) {
	res, err := publish.Release(ctx, publish.Settings(o))
	return PublishResult(res), err
}
