// Package osstep is the seam between a build and what one operating
// system adds to it, as packager is for formats: Windows resources and
// Authenticode, macOS universal binaries, .app bundles, code signing and
// notarization. The pipeline calls every step at a few fixed points and
// names no operating system; oses.All lists the steps, so adding one is a
// package and a line.
//
// The points, in the order a build reaches them:
//
//	Plan           the plan's jobs, before any check            (Step)
//	Prepare        once, before dist is touched                 (Step)
//	BeforeCompile  each target, before go build                 (Run)
//	AfterCompile   each target's executable                     (Run)
//	Combine        a job made of other targets' executables     (Run)
//	Stage          a layout other than the plain folder         (Run)
//	AfterStage     each target's staged app                     (Run)
//	FormatInput    each format's input                          (Run)
//	SignOutput     each format's file, before it is hashed      (Run)
//	Close          once, when the build ends, however it ends   (Run)
package osstep

import (
	"context"
	"fmt"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/compile"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/icons"
	"github.com/bundlekit/bundle/bundler/internal/notary"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

// Step is what one operating system adds to every build that has a
// target of it.
type Step interface {
	// OS is the GOOS whose targets the step serves.
	OS() string
	// Skips lists the names of this step's parts that --skip leaves out.
	Skips() []string
	// Plan may change the plan's jobs before anything is checked; the
	// macOS step joins darwin/amd64 and darwin/arm64 into one job.
	Plan(p *config.Project, jobs []Job) ([]Job, error)
	// Prepare readies the step for one build, before anything is written
	// into dist: it checks what its OS needs and opens its signers. It is
	// called only when the plan has a target of its OS.
	Prepare(ctx context.Context, b Build) (Run, error)
}

// Run is a step's part in one build. The pipeline calls each method only
// for targets of the step's OS, from as many goroutines as targets build
// at once.
type Run interface {
	// BeforeCompile may add to the request; undo, called right after go
	// build however it ends, takes back what it put on disk.
	BeforeCompile(ctx context.Context, t platform.Target, req *compile.Request) (undo func(), err error)
	// AfterCompile may change the executable in place (sign it).
	AfterCompile(ctx context.Context, t platform.Target, exe string) error
	// Combine makes the executable of a job of parts (Job.Parts) from
	// theirs, into out.
	Combine(ctx context.Context, job Job, parts []string, out string) error
	// Stage lays out the app for a layout other than the plain folder in
	// dir and returns the executable's path in it; ok is false when the
	// step has no such layout.
	Stage(ctx context.Context, t platform.Target, layout packager.Layout, dir, exe string) (exeRel string, ok bool, err error)
	// AfterStage may work on the staged app before formats package it
	// (notarize it).
	AfterStage(ctx context.Context, t platform.Target, app Staged) error
	// FormatInput may extend a format's input (a command that signs the
	// files a format makes inside its artifact).
	FormatInput(t platform.Target, in *packager.Input)
	// SignOutput is how the file of format f, to be named name, is signed
	// in place before it is hashed; nil when it is not.
	SignOutput(t platform.Target, f packager.Format, name string) func(ctx context.Context, path string) error
	// Close ends the step's part; it is called however the build ends.
	Close()
}

// Job is one target of the plan and the formats made of it. A job with
// Parts makes no executable of its own: a step combines theirs.
type Job struct {
	Target  platform.Target
	Formats []packager.Format
	Parts   []platform.Target
}

// Build is what Prepare gets: the build's settings and its ways to report
// and to reach the pipeline's own work.
type Build struct {
	Project *config.Project
	Version *semver.Version
	Jobs    []Job
	MTime   time.Time // the time every file carries, and signatures made without a time-stamping server
	Work    string    // the build's work folder
	Icons   *icons.Set
	Skip    []string        // --skip
	Notary  *notary.Service // the notary service to submit to; nil means Apple's
	// Self is the command that tools a step runs may call back, as
	// `bundle sign-file`; "" means this program.
	Self string
	// Report tells the user something, as the build's events do.
	Report func(Report)
	// TargetDir is a target's own folder in the work folder.
	TargetDir func(platform.Target) string
	// StageFiles copies the configured files: into an app folder.
	StageFiles func(ctx context.Context, dir string) error
}

// Staged is a target's app as staged for its formats, by layout.
type Staged map[packager.Layout]Folder

// Folder is an app laid out in Dir, with its executable at Exe in it.
type Folder struct{ Dir, Exe string }

// Report is a step's message to the user.
type Report struct {
	Kind    ReportKind
	Target  platform.Target // zero for the whole build
	Message string
	Elapsed time.Duration
}

// ReportKind says what a Report is.
type ReportKind int

const (
	Noted      ReportKind = iota // worth knowing, nothing to fix
	Warned                       // something to fix before shipping
	Notarizing                   // a submission to a notary service started or changed status
)

// NoRun is a Run that does nothing at every point: a step embeds it and
// implements the points it has.
type NoRun struct{}

func (NoRun) BeforeCompile(context.Context, platform.Target, *compile.Request) (func(), error) {
	return func() {}, nil
}
func (NoRun) AfterCompile(context.Context, platform.Target, string) error { return nil }
func (NoRun) Combine(_ context.Context, job Job, _ []string, _ string) error {
	return fmt.Errorf("build %s: this step does not combine executables", job.Target)
}
func (NoRun) AfterStage(context.Context, platform.Target, Staged) error { return nil }
func (NoRun) FormatInput(platform.Target, *packager.Input)              {}
func (NoRun) Close()                                                    {}
func (NoRun) Stage(context.Context, platform.Target, packager.Layout, string, string) (string, bool, error) {
	return "", false, nil
}
func (NoRun) SignOutput(platform.Target, packager.Format, string) func(context.Context, string) error {
	return nil
}
