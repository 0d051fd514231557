package publish

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/forge"
	"github.com/bundlekit/bundle/bundler/internal/formats"
	"github.com/bundlekit/bundle/bundler/internal/proc"
	"github.com/bundlekit/bundle/bundler/internal/vcs"
)

// Settings say where and how Release puts a dist.
type Settings struct {
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

// Summary is what Release did.
type Summary struct {
	Tag       string   `json:"tag"`
	URL       string   `json:"url"`
	Published bool     `json:"published"` // false: it was published before, with the same files
	Uploaded  []string `json:"uploaded"`
	Kept      []string `json:"kept"`
	Removed   []string `json:"removed"`
	Pushed    []string `json:"pushed"` // the repositories the manifests went to
}

// Release puts the finished build in o.Dist on a forge as the release of
// its version: a draft, every file uploaded, the draft's files checked
// against artifacts.json, then published. Everything that can be checked
// here (the dist, the tag, the token, the repository) is checked before
// anything is uploaded, and is a usage error (exit 2). An interrupted or
// failed run leaves a draft that the next run completes; a run over a
// complete release changes nothing.
func Release(ctx context.Context, o Settings) (Summary, error) {
	// git, which gives the notes and the commit, never sees a token.
	ctx = proc.WithSecrets(ctx, TokenVars()...)
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	say := o.Say
	if say == nil {
		say = func(string) {}
	}
	if o.Dist == "" {
		o.Dist = "dist"
	}
	if o.Project == "" {
		o.Project = "."
	}
	if o.Forge == "" {
		o.Forge = "github"
	}
	kind, err := LookupKind(o.Forge)
	if err != nil {
		return Summary{}, exitcode.Config(fmt.Errorf("--forge: %w", err))
	}
	d, err := LoadDist(o.Dist)
	if err != nil {
		return Summary{}, err
	}
	tag, prerelease, err := releaseTag(o.Tag, d)
	if err != nil {
		return Summary{}, exitcode.Config(err)
	}
	token := strings.TrimSpace(getenv(kind.TokenEnv))
	if token == "" {
		return Summary{}, exitcode.Config(fmt.Errorf("$%s is not set: put a token that may write the repository's releases there (in GitHub Actions: env: %s: ${{ secrets.%s }}, with permissions: contents: write)",
			kind.TokenEnv, kind.TokenEnv, kind.TokenEnv))
	}
	api := o.API
	if api == "" && kind.APIEnv != "" {
		api = getenv(kind.APIEnv)
	}
	if api == "" {
		api = kind.DefaultAPI
	}
	if api == "" {
		return Summary{}, exitcode.Config(fmt.Errorf("--api: give the %s API's address, such as --api %s", o.Forge, kind.APIExample))
	}
	repo := o.Repo
	if repo == "" {
		repo = getenv("GITHUB_REPOSITORY")
	}
	if repo == "" {
		return Summary{}, exitcode.Config(errors.New("--repo: name the repository to publish to as owner/name (in GitHub Actions $GITHUB_REPOSITORY gives it)"))
	}
	f, err := kind.Open(api, repo, token, forge.Options{})
	if err != nil {
		return Summary{}, exitcode.Config(err)
	}
	pushes, err := configuredPushes(o, d, token, getenv)
	if err != nil {
		return Summary{}, err
	}
	for _, p := range pushes {
		if p.env != "" {
			ctx = proc.WithSecrets(ctx, p.env)
		}
	}
	notes, err := releaseNotes(ctx, o, tag)
	if err != nil {
		return Summary{}, err
	}
	if err := f.Repository(ctx); err != nil {
		switch forge.Status(err) {
		case 404:
			return Summary{}, exitcode.Config(fmt.Errorf("--repo %s: no such repository at %s, or the token in $%s cannot see it", repo, api, kind.TokenEnv))
		case 401:
			return Summary{}, exitcode.Config(fmt.Errorf("$%s: %s refused the token (401); make a new one that may write releases", kind.TokenEnv, api))
		}
		return Summary{}, err
	}
	target, _ := vcs.Commit(ctx, o.Project, tag)
	if target == "" {
		target, _ = vcs.Commit(ctx, o.Project, "HEAD")
	}
	res, err := Run(ctx, f, d, Options{Tag: tag, Notes: notes, Target: target, Prerelease: prerelease,
		Replace: o.Replace, Say: func(format string, args ...any) { say(fmt.Sprintf(format, args...)) }})
	out := Summary{Tag: tag, URL: res.Release.URL, Published: res.Published,
		Uploaded: nonNil(res.Uploaded), Kept: nonNil(res.Kept), Removed: nonNil(res.Removed), Pushed: []string{}}
	if err == nil {
		// The manifests name the release's files: they go out only once
		// the release is.
		sayf := func(format string, args ...any) { say(fmt.Sprintf(format, args...)) }
		if err = pushAll(ctx, kind, api, pushes, d, tag, sayf); err == nil {
			for _, p := range pushes {
				out.Pushed = append(out.Pushed, p.repo)
			}
		}
	}
	switch {
	case err == nil || ctx.Err() != nil:
	case forge.Transient(err):
		err = fmt.Errorf("publish %s to %s: %w; the draft is kept: run bundle publish again to complete it", tag, repo, err)
	default:
		err = fmt.Errorf("publish %s to %s: %w", tag, repo, err)
	}
	return out, err
}

// configuredPushes reads the repositories bundle.yaml names for the
// manifests (none without a bundle.yaml, unless one was named), keeps
// their tokens and keys out of the programs bundle starts, and checks
// them against dist.
func configuredPushes(o Settings, d *Dist, token string, getenv func(string) string) ([]push, error) {
	path := o.Config
	if path == "" {
		path = filepath.Join(o.Project, "bundle.yaml")
		if _, err := os.Stat(path); err != nil {
			return nil, nil
		}
	}
	p, err := config.Load(path, formats.Known())
	if err != nil {
		return nil, err
	}
	return plannedPushes(p.Config, d, token, getenv)
}

// releaseTag is the tag of dist's version: tag when given, which must
// name that version (v1.2.3 or 1.2.3), else v<version>. prerelease is
// true for a pre-release version.
func releaseTag(tag string, d *Dist) (string, bool, error) {
	v, err := semver.StrictNewVersion(d.Version)
	if err != nil {
		return "", false, fmt.Errorf("%s: version %q is not a semantic version; build again with --version X.Y.Z",
			filepath.Join(d.Dir, artifact.ManifestName), d.Version)
	}
	if tag == "" {
		return "v" + d.Version, v.Prerelease() != "", nil
	}
	if tag != "v"+d.Version && tag != d.Version {
		return "", false, fmt.Errorf("--tag %s does not name version %s, which %s holds; tag v%s, or build %s again with --version",
			tag, d.Version, filepath.Join(d.Dir, artifact.ManifestName), d.Version, strings.TrimPrefix(tag, "v"))
	}
	return tag, v.Prerelease() != "", nil
}

// releaseNotes reads o.Notes, or lists the commits since the previous
// tag.
func releaseNotes(ctx context.Context, o Settings, tag string) (string, error) {
	if o.Notes == "" {
		ref := tag
		if _, ok := vcs.Commit(ctx, o.Project, tag); !ok {
			ref = "HEAD"
		}
		notes, _ := vcs.Changes(ctx, o.Project, ref)
		return notes, nil
	}
	// GitHub's limit on a release's text is 125,000 characters.
	data, err := os.ReadFile(o.Notes)
	switch {
	case err != nil:
		return "", exitcode.Config(fmt.Errorf("--notes: %w", err))
	case len(data) > 125_000:
		return "", exitcode.Config(fmt.Errorf("--notes %s: %d bytes; a release's text holds at most 125,000", o.Notes, len(data)))
	case !utf8.Valid(data):
		return "", exitcode.Config(fmt.Errorf("--notes %s: not UTF-8 text", o.Notes))
	}
	return string(data), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
