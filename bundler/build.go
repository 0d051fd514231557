package bundler

import (
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/pipeline"
)

// BuildOptions are the inputs of a build besides bundle.yaml. Most fields
// are a flag or environment variable of `bundle build`, named in their
// comments.
type BuildOptions struct {
	Config          string   // path of bundle.yaml
	Version         string   // --version
	EnvVersion      string   // $BUNDLE_VERSION
	Snapshot        bool     // --snapshot
	Targets         []string // --target filter (see Targets); empty means all
	Formats         []string // --format filter (see FormatNames); empty means all ("sbom" names the SBOMs)
	Dist            string   // output folder, relative to the working directory
	Clean           bool     // empty Dist first
	Parallel        int      // targets built at once; 0 means the number of CPUs
	SkipUnavailable bool     // skip formats whose tool is missing instead of failing
	SourceDateEpoch string   // $SOURCE_DATE_EPOCH
	Strict          bool     // under runtime.guard: refuse, a place where the app launches its own executable fails the build
	ToolVersion     string   // the version of the program that builds, recorded in SBOMs
	Split           bool     // one job of a CI matrix: the manifest is marked partial for Merge
	Skip            []string // --skip: steps to leave out (see SkipSteps)
	// Bundle is the bundle command, which makensis runs as `bundle
	// sign-file` to sign the uninstaller it embeds; "" means this
	// program, which is right for the bundle command itself.
	Bundle string
	// OnEvent, when set, is called with each Event as it happens, from
	// several goroutines at once.
	OnEvent func(Event)
}

// BuildResult is what a finished build made.
type BuildResult struct {
	Manifest      Manifest        // as written to dist/artifacts.json
	Version       *semver.Version // the version built
	VersionSource string          // where Version came from: "--version", "$BUNDLE_VERSION", "bundle.yaml", "git tag v1.2.3" or "snapshot"
	GoVersion     string          // the go that compiled
	Skips         []Skip          // formats left out because their tool is missing
}

// EventKind says what an Event reports.
type EventKind int

// The kinds of Event.
const (
	Started    EventKind = iota // the version and plan are known; nothing built yet
	Compiling                   // a target's go build has started
	Compiled                    // a target's executable is built
	Packaged                    // an artifact is in dist
	Skipped                     // a format was skipped (its tool is missing)
	Warned                      // something the user should fix before shipping
	Waiting                     // another bundle build holds dist; this one waits for it
	Noted                       // worth knowing, already handled by the configuration: nothing to fix
	Notarizing                  // a submission to Apple's notary service started or changed status
)

// Event is progress, reported through BuildOptions.OnEvent. Which fields
// are set depends on its Kind.
type Event struct {
	Kind     EventKind
	Target   Target        // the target compiled or packaged
	Format   string        // the format packaged or skipped
	Artifact Artifact      // what Packaged put in dist
	Elapsed  time.Duration // how long the step took
	Message  string        // one line for a person
}

// Skip is a format left out of a build, and why.
type Skip struct {
	Format string
	Reason string // one line naming the tool and how to install it
}

// Target is a GOOS/GOARCH pair, as Event names it.
type Target struct{ OS, Arch string }

// String is the target as --target takes it: "linux/amd64".
func (t Target) String() string { return t.OS + "/" + t.Arch }

// pipelineOptions is o as the pipeline takes it. Its Notary stays nil,
// Apple's own service: only the pipeline's tests need another.
func pipelineOptions(o BuildOptions) pipeline.Options {
	p := pipeline.Options{
		Config:          o.Config,
		Version:         o.Version,
		EnvVersion:      o.EnvVersion,
		Snapshot:        o.Snapshot,
		Targets:         o.Targets,
		Formats:         o.Formats,
		Dist:            o.Dist,
		Clean:           o.Clean,
		Parallel:        o.Parallel,
		SkipUnavailable: o.SkipUnavailable,
		SourceDateEpoch: o.SourceDateEpoch,
		Strict:          o.Strict,
		ToolVersion:     o.ToolVersion,
		Split:           o.Split,
		Skip:            o.Skip,
		Bundle:          o.Bundle,
	}
	if o.OnEvent != nil {
		p.OnEvent = func(e pipeline.Event) { o.OnEvent(eventOf(e)) }
	}
	return p
}

func eventOf(e pipeline.Event) Event {
	return Event{
		Kind:     EventKind(e.Kind),
		Target:   Target(e.Target),
		Format:   e.Format,
		Artifact: Artifact(e.Artifact),
		Elapsed:  e.Elapsed,
		Message:  e.Message,
	}
}

func buildResultOf(r *pipeline.Result) *BuildResult {
	if r == nil {
		return nil
	}
	return &BuildResult{
		Manifest:      manifestOf(r.Manifest),
		Version:       r.Version,
		VersionSource: r.VersionSource,
		GoVersion:     r.GoVersion,
		Skips:         convertAll(r.Skips, func(s pipeline.Skip) Skip { return Skip(s) }),
	}
}
