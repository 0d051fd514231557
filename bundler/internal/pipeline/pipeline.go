// Package pipeline runs a whole bundle build. The stages, in order:
//
//	load     read and validate bundle.yaml                     (config)
//	version  pick the version: flag, env, config, git tag      (version)
//	check    icon, files and main package on disk              (config)
//	plan     targets × formats, tools found, formats' limits,  (plan.go)
//	         and the steps' plans (macOS: one universal job)   (osstep.Step.Plan)
//	prepare  each OS's step: Windows resources checked and     (steps.go, osstep.Step.Prepare)
//	         sign.windows opened; sign.macos and the notary
//	dist     prepare the output folder                         (artifact)
//	compile  go build each target, in parallel, with the hook   (compile, hook)
//	         and its OS's steps before and after: Windows      (osstep.Run.BeforeCompile,
//	         resources, then signing of the executable          AfterCompile)
//	         then, beside the rest: where does the app run itself? (selfcheck.go)
//	combine  a job of parts: the macOS universal binary        (steps.go, osstep.Run.Combine)
//	stage    lay out the app folder, or a layout of an OS's     (stage.go, osstep.Run.Stage)
//	         step (the .app bundle, signed)
//	notarize after staging: macOS notarizes and staples         (osstep.Run.AfterStage)
//	package  the SBOM and each format's artifact, atomically,   (sbom, formats,
//	         each file signed by its OS's step (installers,     osstep.Run.FormatInput, SignOutput)
//	         disk images, which are notarized and stapled)
//	feed     with update: the deltas from the previous release    (deltas.go, delta)
//	         (update.delta_from), then the update feed of every    (update.go, feed)
//	         artifact, signed once all of them are final
//	manifest checksums.txt, then artifacts.json, last          (artifact)
//	close    each OS's step, however the build ended           (osstep.Run.Close)
//
// The Windows and macOS steps live in bundler/internal/platform/windows
// and .../macos; oses.All lists them. The pipeline names no operating
// system, as it names no format. Nothing is written to dist before every
// check has passed, so bad input never leaves a file behind.
package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Masterminds/semver/v3"
	"golang.org/x/sync/errgroup"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/compile"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/feed"
	"github.com/bundlekit/bundle/bundler/internal/formats"
	"github.com/bundlekit/bundle/bundler/internal/gomod"
	"github.com/bundlekit/bundle/bundler/internal/hook"
	"github.com/bundlekit/bundle/bundler/internal/icons"
	"github.com/bundlekit/bundle/bundler/internal/notary"
	"github.com/bundlekit/bundle/bundler/internal/oses"
	"github.com/bundlekit/bundle/bundler/internal/osstep"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgrs"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/proc"
	"github.com/bundlekit/bundle/bundler/internal/sbom"
	"github.com/bundlekit/bundle/bundler/internal/scratch"
	"github.com/bundlekit/bundle/bundler/internal/vcs"
	"github.com/bundlekit/bundle/bundler/internal/version"
)

// Options are the inputs of a build besides bundle.yaml.
type Options struct {
	Config          string   // path of bundle.yaml
	Version         string   // --version
	EnvVersion      string   // $BUNDLE_VERSION
	Snapshot        bool     // --snapshot
	Targets         []string // --target filter; empty means all
	Formats         []string // --format filter; empty means all ("sbom" names the SBOMs, a package manager's name its manifest)
	Dist            string   // output folder, relative to the working directory
	Clean           bool     // empty dist first
	Parallel        int      // targets built at once; 0 means the number of CPUs
	SkipUnavailable bool     // skip formats whose tool is missing instead of failing
	SourceDateEpoch string   // $SOURCE_DATE_EPOCH
	Strict          bool     // under runtime.guard: refuse, a place where the app launches its own executable fails the build
	ToolVersion     string   // bundle's own version, recorded in SBOMs
	Split           bool     // one job of a CI matrix: the manifest is marked partial for bundle merge
	Skip            []string // steps to leave out: SkipSteps
	// Notary is Apple's notary service; nil means Apple's own addresses.
	// The one setting of an operating system's step a build takes from
	// its caller: the macOS step's tests point it at a stand-in.
	Notary *notary.Service
	// Bundle is the bundle command, which makensis runs as `bundle
	// sign-file` to sign the uninstaller it embeds; "" means this
	// program, which is right for the bundle command itself.
	Bundle  string
	OnEvent func(Event)
}

// EventKind says what an Event reports.
type EventKind int

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

// Event is progress, reported as it happens.
type Event struct {
	Kind     EventKind
	Target   platform.Target
	Format   string
	Artifact artifact.Artifact
	Elapsed  time.Duration
	Message  string
}

// Result is what a finished build made.
type Result struct {
	Manifest      artifact.Manifest
	Version       *semver.Version
	VersionSource string
	GoVersion     string
	Skips         []Skip
}

// Run builds every planned target and format and writes dist.
func Run(ctx context.Context, o Options) (*Result, error) {
	return run(ctx, o, formats.All(), oses.All(), pkgmgrs.All())
}

// run is Run with the formats, operating systems' steps and package
// managers that exist: formats.All(), oses.All() and pkgmgrs.All(), or,
// in a test, more.
func run(ctx context.Context, o Options, registry []packager.Format, steps []osstep.Step, managers []pkgmgr.Manager) (_ *Result, err error) {
	emit := func(e Event) {
		if o.OnEvent != nil {
			o.OnEvent(e)
		}
	}
	if err := checkSkip(o.Skip, steps); err != nil {
		return nil, err
	}
	if err := checkFilters(o.Targets, o.Formats); err != nil {
		return nil, err
	}
	known := formats.KnownOf(registry)
	p, err := config.Load(o.Config, known)
	if err != nil {
		return nil, err
	}
	// Before anything that needs go or git: a --dist that must never be
	// cleaned fails at once.
	if err := artifact.CheckDist(o.Dist, o.Clean, p.Dir); err != nil {
		return nil, err
	}
	work, remove, err := scratch.Dir("bundle-")
	if err != nil {
		return nil, exitcode.Config(fmt.Errorf("build: %w", err))
	}
	defer remove()
	// No program the build runs sees a signing secret, and what they leave
	// in their temporary folder (an interrupted go build its go-build*
	// folder) goes with the work folder.
	ctx = proc.WithSecrets(ctx, p.Config.SecretEnv()...)
	if ctx, err = proc.WithTempDir(ctx, filepath.Join(work, "tmp")); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	resolved, err := version.Resolve(ctx, version.Sources{
		Flag: o.Version, Env: o.EnvVersion, Config: p.Config.Version, Snapshot: o.Snapshot, Dir: p.Dir,
	})
	if err != nil {
		return nil, exitcode.Config(err)
	}
	goVersion, err := gomod.GoVersion(ctx) // its error carries its exit code
	if err != nil {
		return nil, err
	}
	if err := p.Check(ctx, p.Config.Build.Env); err != nil {
		return nil, err
	}
	artifactFormats, wanted, err := splitManagers(p, managers, o.Formats)
	if err != nil {
		return nil, err
	}
	pl, err := plan(p, registry, steps, o.Targets, artifactFormats, o.SkipUnavailable)
	if err != nil {
		return nil, err
	}
	for _, j := range pl.Jobs {
		for _, f := range j.Formats {
			if c, ok := f.(packager.Checker); ok {
				if err := c.Check(p.Config, j.Target, resolved.Version); err != nil {
					return nil, err
				}
			}
		}
	}
	mtime, err := sourceTime(ctx, o.SourceDateEpoch, p.Dir)
	if err != nil {
		return nil, err
	}

	r := &runner{
		p: p, v: resolved.Version, mtime: mtime, work: work, dist: o.Dist, emit: emit, tool: o.ToolVersion, icons: iconSet(p),
		sbom: p.Config.WantsSBOM() && (len(o.Formats) == 0 || slices.Contains(o.Formats, "sbom")),
	}
	updates, err := r.prepareFeed(registry, pl.Jobs)
	if err != nil {
		return nil, err
	}
	closeSteps, err := r.prepareSteps(ctx, steps, pl.Jobs, o)
	if err != nil {
		return nil, err
	}
	defer closeSteps() // also when an interrupt ends Run before a compile has cleaned up
	v := resolved.Version.String()
	replaced := "" // the snapshot build dist held, told after the build's header
	old, journal, err := artifact.PrepareDist(ctx, o.Dist, artifact.DistOptions{
		Name: p.Config.Name, Version: v, Clean: o.Clean, Project: p.Dir,
		Waiting: func() {
			emit(Event{Kind: Waiting, Message: fmt.Sprintf("dist folder %q is in use by another bundle build; waiting for it to finish", o.Dist)})
		},
		Replaced: func(snapshot string) { replaced = snapshot },
	})
	if err != nil {
		return nil, err
	}
	defer journal.Close() // dist's lock; a failed build's journal stays only while files it owns do
	res := &Result{Version: resolved.Version, VersionSource: resolved.Source, GoVersion: goVersion, Skips: pl.Skips}
	emit(Event{Kind: Started, Message: fmt.Sprintf("%s %s (%s), %s", p.Config.Name, v, resolved.Source, goVersion)})
	if replaced != "" {
		emit(Event{Kind: Noted, Message: fmt.Sprintf("replaced the snapshot build %s %s in dist folder %q (removed only the files bundle wrote)", p.Config.Name, replaced, o.Dist)})
	}
	for _, s := range pl.Skips {
		emit(Event{Kind: Skipped, Format: s.Format, Message: s.Reason})
	}
	r.start()

	g, gctx := errgroup.WithContext(ctx)
	r.journal = journal
	r.check = startSelfCheck(gctx, p, pl.Jobs, o.Strict, emit)
	r.compiling = make(chan struct{}, parallelism(o.Parallel))
	r.packing = make(chan struct{}, parallelism(o.Parallel))
	for _, job := range pl.Jobs {
		if len(job.Parts) > 0 {
			continue
		}
		// The compile slot is taken here, so targets compile in the plan's
		// order; buildTarget gives it back once its go build is done.
		select {
		case r.compiling <- struct{}{}:
			g.Go(func() error { return r.buildTarget(gctx, job) })
		case <-gctx.Done():
		}
	}
	if err := wait(ctx, g, r.abandon); err != nil {
		return nil, err
	}
	// Universal binaries merge what the first round compiled.
	for _, job := range pl.Jobs {
		if len(job.Parts) > 0 {
			if err := r.buildTarget(ctx, job); err != nil {
				return nil, err
			}
		}
	}
	all := append(r.made, withoutManifests(withoutFeeds(carried(o.Dist, old, r.made)), managers)...)
	if updates != nil {
		feeds, err := r.writeFeed(ctx, updates, all)
		if err != nil {
			return nil, err
		}
		all = append(all, feeds...)
	}
	manifests, err := r.writeManifests(ctx, wanted, all)
	if err != nil {
		return nil, err
	}
	all = append(all, manifests...)

	res.Manifest = artifact.Manifest{Name: p.Config.Name, Version: v, Partial: o.Split, Artifacts: all}
	if err := journal.Finish(res.Manifest); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	res.Manifest.Sort()
	return res, nil
}

// runner holds what every target's build shares.
type runner struct {
	p       *config.Project
	v       *semver.Version
	mtime   time.Time
	work    string
	dist    string
	journal *artifact.Journal
	check   *selfCheck
	icons   *icons.Set // nil when the app has no icon
	emit    func(Event)
	tool    string
	sbom    bool                    // write each target's SBOM
	steps   map[string][]osstep.Run // by GOOS: the steps of the operating systems of the build's targets

	// Slots: --parallel go builds run at once, and as many artifacts are
	// made at once besides, so the next targets compile while the first
	// ones are packaged, and a target's formats are made side by side.
	compiling chan struct{}
	packing   chan struct{}

	mu      sync.Mutex
	made    []artifact.Artifact
	writing map[string]int       // artifacts being written into dist, for abandon
	hooks   map[string]*hookOnce // GOOS -> its hook plan
	leftOut map[string]bool      // files: paths reported as left out
	started bool                 // the build's header is out
	pending []Event              // what steps reported before it
}

// buildTarget compiles one target (or merges a universal binary from its parts),
// stages its app folder and makes each of its formats.
func (r *runner) buildTarget(ctx context.Context, job osstep.Job) error {
	t := job.Target
	start := time.Now()
	var exe string
	var err error
	if len(job.Parts) > 0 {
		exe, err = r.combine(ctx, job)
	} else {
		if err = ctx.Err(); err == nil { // nothing starts once the build has failed
			exe, err = r.compile(ctx, t)
		}
		<-r.compiling // taken by Run
		if err == nil {
			// Before anything is made from it, as a part of a combined
			// executable too.
			err = r.each(t, func(s osstep.Run) error { return s.AfterCompile(ctx, t, exe) })
		}
	}
	if err != nil {
		return err
	}
	if len(job.Formats) == 0 {
		return nil // a part of a combined executable
	}
	app, err := r.stage(ctx, t, job, exe)
	if err != nil {
		return fmt.Errorf("build %s: %w", t, err)
	}
	if err := r.each(t, func(s osstep.Run) error { return s.AfterStage(ctx, t, app) }); err != nil {
		return err
	}
	stem := fmt.Sprintf("%s_%s_%s_%s", r.p.Config.Binary, r.v, t.OS, t.Arch)
	g, gctx := errgroup.WithContext(ctx)
	if r.sbom {
		g.Go(func() error {
			return withSlot(gctx, r.packing, func() error { return r.writeSBOM(gctx, t, job, exe, stem, start) })
		})
	}
	for _, f := range job.Formats {
		g.Go(func() error {
			return withSlot(gctx, r.packing, func() error { return r.makeFormat(gctx, t, f, app, stem, start) })
		})
	}
	return g.Wait()
}

// makeFormat makes the target's artifact of format f into dist.
func (r *runner) makeFormat(ctx context.Context, t platform.Target, f packager.Format, app osstep.Staged, stem string, start time.Time) error {
	formatWork := filepath.Join(r.targetDir(t), "format-"+strings.ReplaceAll(f.Name(), ".", "-"))
	if err := os.MkdirAll(formatWork, 0o755); err != nil {
		return fmt.Errorf("%s %s: %w", f.Name(), t, err)
	}
	staged := app[packager.LayoutOf(f)]
	in := packager.Input{
		Config: r.p.Config, Dir: r.p.Dir, Version: r.v, Target: t,
		AppDir: staged.Dir, Exe: staged.Exe, Stem: stem, MTime: r.mtime, WorkDir: formatWork, Icons: r.icons,
	}
	var signs []func(context.Context, string) error
	r.each(t, func(s osstep.Run) error {
		s.FormatInput(t, &in)
		return nil
	})
	name := f.FileName(in)
	r.each(t, func(s osstep.Run) error {
		if sign := s.SignOutput(t, f, name); sign != nil {
			signs = append(signs, sign)
		}
		return nil
	})
	size, sum, err := r.makeArtifact(ctx, name, func(dest string) error {
		if err := f.Package(ctx, in, dest); err != nil {
			return err
		}
		for _, sign := range signs {
			if err := sign(ctx, dest); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", f.Name(), t, err)
	}
	r.record(t, f.Name(), name, size, sum, start)
	return nil
}

// withSlot runs do once it holds one of slots, or returns ctx's error.
func withSlot(ctx context.Context, slots chan struct{}, do func() error) error {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-slots }()
	return do()
}

// record lists a finished artifact, which the journal already owns, in
// the manifest.
func (r *runner) record(t platform.Target, format, name string, size int64, sum string, start time.Time) {
	a := artifact.Artifact{Path: name, OS: t.OS, Arch: t.Arch, Format: format, Size: size, SHA256: sum}
	r.mu.Lock()
	r.made = append(r.made, a)
	r.mu.Unlock()
	r.emit(Event{Kind: Packaged, Target: t, Format: format, Artifact: a, Elapsed: time.Since(start)})
}

// writeSBOM writes <stem>.cdx.json, the CycloneDX SBOM of the target's
// executable, from its own build info. A universal binary's parts are the
// same program, so its SBOM is read from the first part.
func (r *runner) writeSBOM(ctx context.Context, t platform.Target, job osstep.Job, exe, stem string, start time.Time) error {
	if len(job.Parts) > 0 {
		exe = r.exePath(job.Parts[0])
	}
	f, err := os.Open(exe)
	if err != nil {
		return fmt.Errorf("sbom %s: %w", t, err)
	}
	defer f.Close()
	name := stem + ".cdx.json"
	size, sum, err := r.writeArtifact(ctx, name, func(w io.Writer) error {
		return sbom.Write(w, f, sbom.Options{Name: r.p.Config.Name, Version: r.v.String(), Time: r.mtime, ToolVersion: r.tool})
	})
	if err != nil {
		return fmt.Errorf("sbom %s: %w", t, err)
	}
	r.record(t, "sbom", name, size, sum, start)
	return nil
}

func (r *runner) targetDir(t platform.Target) string {
	return filepath.Join(r.work, t.OS+"_"+t.Arch)
}

// iconSet is the app icon's set, cached across builds, or nil.
func iconSet(p *config.Project) *icons.Set {
	if p.Config.Icon == "" {
		return nil
	}
	return icons.NewSet(p.Abs(p.Config.Icon), icons.DefaultCacheDir())
}

// hookPlan prepares the runtime hook's overlay once per OS: the files it
// adds are the same for every architecture.
func (r *runner) hookPlan(ctx context.Context, t platform.Target, env []string) (*hook.Plan, error) {
	r.mu.Lock()
	h, ok := r.hooks[t.OS]
	if !ok {
		h = &hookOnce{}
		if r.hooks == nil {
			r.hooks = map[string]*hookOnce{}
		}
		r.hooks[t.OS] = h
	}
	r.mu.Unlock()
	h.once.Do(func() {
		rt := r.p.Config.Runtime
		h.plan, h.err = hook.Prepare(ctx, hook.Request{
			Dir: r.p.Dir, Main: r.p.Config.Main, Env: env, Flags: r.p.Config.Build.Flags,
			Tags: r.p.Config.Build.Tags, Guard: rt.Guard, Grace: rt.Grace, MaxProcs: rt.Procs(), Version: r.v.String(),
		}, filepath.Join(r.work, "hook-"+t.OS))
	})
	return h.plan, h.err
}

type hookOnce struct {
	once sync.Once
	plan *hook.Plan
	err  error
}

// compile builds the target's executable into its work folder, with the
// runtime hook and what its OS's steps add before go build.
func (r *runner) compile(ctx context.Context, t platform.Target) (string, error) {
	p := r.p
	exe := r.exePath(t)
	if err := os.MkdirAll(filepath.Dir(exe), 0o755); err != nil {
		return "", fmt.Errorf("build %s: %w", t, err)
	}
	start := time.Now()
	r.emit(Event{Kind: Compiling, Target: t})
	req := compile.Request{
		Dir: p.Dir, Main: p.Config.Main, Target: t, Out: exe,
		Build: p.Config.Build, GUI: p.Config.GUI, Version: r.v.String(),
	}
	var stamp string
	usesUpdate := false
	if p.Config.Runtime.HookEnabled() {
		hp, err := r.hookPlan(ctx, t, req.Env())
		if err != nil {
			return "", fmt.Errorf("build %s: %w", t, err)
		}
		req.Overlay, req.Ldflags, req.Build.Flags = hp.Overlay, hp.Ldflags, hp.Flags
		req.Build.Env = slices.Concat(req.Build.Env, hp.Env) // a new slice: Build.Env is the config's
		stamp, usesUpdate = hp.Stamp, hp.UsesUpdate
	}
	if usesUpdate || p.Config.Update != nil {
		req.Ldflags = slices.Concat(req.Ldflags, feed.Ldflags(&p.Config, r.v)) // a new slice: the hook plan's is shared by targets
	}
	var undo []func()
	err := r.each(t, func(s osstep.Run) error {
		u, err := s.BeforeCompile(ctx, t, &req)
		if u != nil {
			undo = append(undo, u)
		}
		return err
	})
	if err == nil {
		err = compile.Run(ctx, req)
	}
	for _, u := range slices.Backward(undo) {
		u()
	}
	if err != nil {
		return "", err
	}
	if stamp != "" {
		// No executable ships without the hook unless runtime.hook says
		// so: a build the overlay did not reach (a path the go command
		// names otherwise, a go command that ignores it) stops here.
		switch ok, err := hook.Stamped(exe, stamp); {
		case err != nil:
			return "", fmt.Errorf("build %s: read the linked executable: %w", t, err)
		case !ok:
			return "", fmt.Errorf("build %s: the runtime hook is not in the linked executable (go build did not compile its overlay in), so nothing of it was packaged; report this with the go command's version, or set runtime.hook: false to ship without the guard", t)
		}
	}
	r.check.targetCompiled(t)
	r.emit(Event{Kind: Compiled, Target: t, Elapsed: time.Since(start)})
	return exe, nil
}

// sourceTime is the time every archived file carries: $SOURCE_DATE_EPOCH,
// else the commit time of HEAD, else now (an untracked project cannot be
// reproduced anyway).
func sourceTime(ctx context.Context, epoch, dir string) (time.Time, error) {
	if epoch != "" {
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil || sec < 0 {
			return time.Time{}, exitcode.Config(fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a Unix time in seconds; set it to e.g. $(git log -1 --format=%%ct)", epoch))
		}
		return time.Unix(sec, 0).UTC(), nil
	}
	if t, ok := vcs.CommitTime(ctx, dir); ok {
		return t, nil
	}
	return time.Now().UTC().Truncate(time.Second), nil
}

// carried returns the artifacts of an earlier build of this same version
// that this build did not make again and that are still in dist unchanged,
// so building one --target at a time adds to dist instead of replacing it.
func carried(dist string, old *artifact.Manifest, made []artifact.Artifact) []artifact.Artifact {
	if old == nil {
		return nil
	}
	rebuilt := map[string]bool{}
	for _, a := range made {
		rebuilt[a.Path] = true
	}
	var keep []artifact.Artifact
	for _, a := range old.Artifacts {
		if rebuilt[a.Path] {
			continue
		}
		if sum, err := artifact.SHA256File(dist, a.Path); err == nil && sum == a.SHA256 { // a regular file only, never a link
			keep = append(keep, a)
		}
	}
	return keep
}

func parallelism(n int) int {
	if n > 0 {
		return n
	}
	return runtime.NumCPU()
}
