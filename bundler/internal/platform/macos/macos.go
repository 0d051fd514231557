// Package macos is what a build adds for macOS targets: one universal
// executable from darwin/amd64 and darwin/arm64, the .app bundle, code
// signing of the executables, the app and the disk images with
// sign.macos, and notarization and stapling with Apple's notary service.
package macos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/macsign"
	"github.com/bundlekit/bundle/bundler/internal/osstep"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

// SkipNotarize is the --skip value that signs macOS code without waiting
// for Apple.
const SkipNotarize = "notarize"

// Step is macOS's step in a build.
type Step struct{}

func (Step) OS() string      { return "darwin" }
func (Step) Skips() []string { return []string{SkipNotarize} }

// Plan turns the darwin/amd64 and darwin/arm64 jobs into compile-only
// parts of one darwin/universal job that makes the darwin formats, unless
// macos.universal is off.
func (s Step) Plan(p *config.Project, jobs []osstep.Job) ([]osstep.Job, error) {
	if !p.Config.UniversalBinary() {
		return jobs, nil
	}
	var parts []int
	for i, j := range jobs {
		if j.Target.OS == s.OS() {
			parts = append(parts, i)
		}
	}
	switch len(parts) {
	case 0:
		return jobs, nil
	case 1:
		return nil, exitcode.Config(fmt.Errorf("--target %s: a universal macOS binary needs both darwin/amd64 and darwin/arm64; pass both, or set macos.universal: false in %s", jobs[parts[0]].Target, p.Path))
	}
	u := osstep.Job{Target: platform.Target{OS: s.OS(), Arch: "universal"}, Formats: jobs[parts[0]].Formats}
	for _, i := range parts {
		u.Parts = append(u.Parts, jobs[i].Target)
		jobs[i].Formats = nil
	}
	return append(jobs, u), nil
}

// Prepare opens sign.macos and, when it signs, the notary service: the
// build notarizes when it has an App Store Connect API key and --skip
// does not name notarize, and says in a line why it does not otherwise.
func (s Step) Prepare(_ context.Context, b osstep.Build) (osstep.Run, error) {
	r := &run{b: b}
	c := b.Project.Config
	if c.Sign.MacOS == nil {
		return r, nil
	}
	mac, err := macsign.FromConfig(b.Project.Dir, c.Sign.MacOS, os.LookupEnv, time.Now())
	if err != nil {
		return nil, err
	}
	mac.Time = b.MTime
	r.mac = mac
	if mac.Warning != "" {
		b.Report(osstep.Report{Kind: osstep.Warned, Message: mac.Warning})
	}
	notary, why, err := newNotary(b, slices.Contains(b.Skip, SkipNotarize))
	if err != nil {
		return nil, err
	}
	if why != "" {
		b.Report(osstep.Report{Kind: osstep.Noted, Message: "macOS code is signed, not notarized: " + why})
	}
	r.notary = notary
	mac.Timestamper = timestamper(c.Sign.MacOS, notary != nil)
	return r, nil
}

// run is macOS's part in one build.
type run struct {
	osstep.NoRun
	b      osstep.Build
	mac    *macsign.Signer // nil without sign.macos
	notary *macNotary      // nil when the build does not notarize
}

// AfterCompile signs the executable before anything is made from it; a
// universal binary merges slices signed here, and the .app's copy is
// signed again with its Info.plist and resources bound.
func (r *run) AfterCompile(ctx context.Context, _ platform.Target, exe string) error {
	if r.mac == nil {
		return nil
	}
	return r.mac.SignFile(ctx, exe, identifier(r.b.Project.Config))
}

// Combine merges the parts' executables into one universal binary.
func (r *run) Combine(_ context.Context, _ osstep.Job, parts []string, out string) error {
	return universal(parts, out)
}

// Stage lays out and signs the .app bundle.
func (r *run) Stage(ctx context.Context, t platform.Target, layout packager.Layout, dir, exe string) (string, bool, error) {
	if layout != packager.MacAppBundle {
		return "", false, nil
	}
	exeRel, err := stageAppBundle(ctx, r.b, dir, exe)
	if err == nil && r.mac != nil {
		err = r.mac.SignBundle(ctx, filepath.Join(dir, BundleName(r.b.Project.Config)), identifier(r.b.Project.Config))
	}
	return exeRel, true, err
}

// AfterStage notarizes the target's signed app and executable.
func (r *run) AfterStage(ctx context.Context, t platform.Target, app osstep.Staged) error {
	if r.notary == nil {
		return nil
	}
	if err := r.notarizeApp(ctx, t, app); err != nil {
		return fmt.Errorf("%s: %w", t, err)
	}
	return nil
}

// SignOutput signs a disk image and, when the build notarizes, notarizes
// and staples it.
func (r *run) SignOutput(t platform.Target, f packager.Format, name string) func(context.Context, string) error {
	if so, ok := f.(packager.SignedOutput); ok && so.SignedAs() == packager.SignDiskImage && r.mac != nil {
		return r.signDiskImage(t, name)
	}
	return nil
}

// identifier is what macOS code is signed as: the bundle id, or the
// binary's name when the config has none (only apps need one).
func identifier(c config.Config) string {
	if c.ID != "" {
		return c.ID
	}
	return c.Binary
}
