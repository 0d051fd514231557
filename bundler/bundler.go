// Package bundler is bundle's library: what the bundle command runs, for
// programs that want to make release artifacts without the command line.
//
// Its public face is deliberately small: one function per command (Build,
// Merge, Inspect, Verify, Init, Doctor, Schema, NextVersion) and the types
// they take and return. Those types are declared here, not aliased from
// the internal packages, so that they are documented where a user reads
// them and an internal change cannot reach them unseen: each is converted
// from its internal counterpart, and a test fails when the two differ.
// Everything else lives under bundler/internal: the formats, the
// pipeline, config decoding, signing, the tool runner. Those change as
// bundle grows (a new format, a new signing step) and are not a contract;
// keeping them internal lets them change without breaking anyone.
//
// What is a contract, for the CLI and this package alike: the names of
// dist/artifacts.json's fields (Manifest, Artifact), checksums.txt, the
// exit codes (ExitCode) and the Event kinds a build reports.
package bundler

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/doctor"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/feed"
	"github.com/bundlekit/bundle/bundler/internal/formats"
	"github.com/bundlekit/bundle/bundler/internal/inspect"
	"github.com/bundlekit/bundle/bundler/internal/pipeline"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/platform/windows"
	"github.com/bundlekit/bundle/bundler/internal/proc"
	"github.com/bundlekit/bundle/bundler/internal/scaffold"
	"github.com/bundlekit/bundle/bundler/internal/vcs"
	"github.com/bundlekit/bundle/bundler/internal/verify"
	"github.com/bundlekit/bundle/bundler/internal/version"
)

// Build compiles every planned target, makes each format's artifact in
// o.Dist and writes checksums.txt and artifacts.json.
func Build(ctx context.Context, o BuildOptions) (*BuildResult, error) {
	r, err := pipeline.Run(ctx, pipelineOptions(o))
	return buildResultOf(r), err
}

// FormatNames lists every name --format accepts.
func FormatNames() []string { return pipeline.FormatNames() }

// Targets lists every GOOS/GOARCH pair bundle can build.
func Targets() []string { return platform.Targets() }

// SkipSteps lists the steps BuildOptions.Skip may name.
func SkipSteps() []string { return pipeline.SkipSteps() }

// SignFile signs one Windows program in place with the sign.windows of the
// config at configPath, at the given time: what makensis runs on the
// uninstaller it writes into an installer.
func SignFile(ctx context.Context, configPath string, at time.Time, file string) error {
	return windows.SignFile(ctx, configPath, at, file)
}

// The files bundle owns in dist besides the artifacts.
const (
	ManifestName  = artifact.ManifestName  // artifacts.json
	ChecksumsName = artifact.ChecksumsName // checksums.txt
)

// ReadManifest reads dist/artifacts.json. It returns (nil, nil) when there
// is none.
func ReadManifest(dist string) (*Manifest, error) {
	m, err := artifact.ReadManifest(dist)
	if m == nil {
		return nil, err
	}
	p := manifestOf(*m)
	return &p, err
}

// HumanSize formats a byte count as the CLI prints it ("1.2 MB").
func HumanSize(n int64) string { return artifact.HumanSize(n) }

// Inspect says what the file or .app folder at path holds.
func Inspect(ctx context.Context, path string) (*Report, error) {
	r, err := inspect.Path(ctx, path)
	return reportOf(r), err
}

// ErrVerifyUnsupported is Verify's error on an OS without /proc.
var ErrVerifyUnsupported = verify.ErrUnsupported

// Verify runs a built program and samples how many processes its tree
// reaches at once.
func Verify(ctx context.Context, o VerifyOptions) (VerifyReport, error) {
	r, err := verify.Run(ctx, verify.Options(o))
	return VerifyReport(r), err
}

// Init writes a starter bundle.yaml at path for the Go module in its
// folder. An existing file is kept (a usage error) unless force.
func Init(ctx context.Context, path string, force bool) (InitResult, error) {
	if _, err := os.Stat(path); err == nil && !force {
		return InitResult{}, exitcode.Config(fmt.Errorf("%s already exists; pass --force to overwrite it", path))
	}
	p, err := scaffold.Detect(ctx, filepath.Dir(path))
	if err != nil {
		return InitResult{}, err
	}
	return initResultOf(p), scaffold.Write(path, p, force)
}

// IgnoreDist keeps dist, the default output folder, out of git in the
// project in dir, as bundle init does: it writes .gitignore with /dist/,
// or appends /dist/ to it, unless git already ignores dist. A .gitignore
// that is a link or not a regular file is left alone (Refused says why).
func IgnoreDist(ctx context.Context, dir string) (Gitignore, error) {
	g, err := scaffold.IgnoreDist(ctx, dir)
	return Gitignore(g), err
}

// Doctor checks the tools the config at path needs (every tool when there
// is no config). source says what was read; missing lists the required
// tools that are not installed.
func Doctor(ctx context.Context, path string) (source string, checks, missing []ToolCheck, err error) {
	needs, err := doctor.NeedsOf(path)
	if err != nil {
		return "", nil, nil, err
	}
	// The tools' version commands see no signing secret either.
	found := doctor.Run(proc.WithSecrets(ctx, needs.Secrets...), needs.Formats, needs.Signing)
	return needs.Source, toolChecksOf(found), toolChecksOf(doctor.Missing(found)), nil
}

// Schema is the JSON Schema (draft 2020-12) bundle.yaml is decoded with.
func Schema() ([]byte, error) { return config.Schema(formats.Known()) }

// NextVersion is the release version after from (a semantic version), or,
// when from is "", after the latest git tag reachable from HEAD in dir:
// bump is patch, minor, major or an explicit X.Y.Z.
func NextVersion(ctx context.Context, dir, from, bump string) (*semver.Version, error) {
	var base *semver.Version
	var of string
	switch {
	case from != "":
		v, err := version.Parse(from)
		if err != nil {
			return nil, exitcode.Config(fmt.Errorf("--from: %w", err))
		}
		base, of = v, "--from"
	default:
		if tag, ok := vcs.LatestTag(ctx, dir); ok {
			v, err := version.Parse(tag)
			if err != nil {
				return nil, exitcode.Config(fmt.Errorf("the latest git tag %s is not a semantic version; pass --from X.Y.Z", tag))
			}
			base, of = v, "the latest git tag "+tag
		}
	}
	v, err := version.Next(base, of, bump)
	if err != nil {
		return nil, exitcode.Config(err)
	}
	return v, nil
}

// Exit codes of the bundle command, which ExitCode picks for an error.
const (
	ExitOK          = exitcode.OK
	ExitFailure     = exitcode.Failure     // a build or packaging step failed
	ExitUsage       = exitcode.Usage       // usage or configuration error
	ExitMissingTool = exitcode.MissingTool // a required external tool is missing
	ExitInterrupted = exitcode.Interrupted // SIGINT
	ExitTerminated  = exitcode.Terminated  // SIGTERM
)

// ExitCode is the exit code the bundle command reports for err.
func ExitCode(err error) int { return exitcode.Of(err) }

// WriteUpdateKey makes a minisign key pair for signing update feeds: the
// secret key at path (mode 0600, encrypted when password is not empty) and
// the public key at path + ".pub". It never overwrites a file. It returns
// the public key's line, as update.public_keys in bundle.yaml takes it.
func WriteUpdateKey(path, password string) (string, error) { return feed.WriteKeyPair(path, password) }

// UsageError marks err as a usage or configuration error (ExitUsage).
func UsageError(err error) error { return exitcode.Config(err) }

// MissingToolError marks err as a missing tool (ExitMissingTool).
func MissingToolError(err error) error { return exitcode.Tool(err) }
