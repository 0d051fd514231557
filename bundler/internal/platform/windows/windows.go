// Package windows is what a build adds for Windows targets: the icon,
// application manifest and version information linked into each
// executable, Authenticode signing of the executables, of the files a
// format makes inside its artifact (`bundle sign-file`) and of the
// installers, and the platform.ExeName of its executables.
package windows

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bundlekit/bundle/bundler/internal/compile"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/osstep"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

// Step is Windows's step in a build.
type Step struct{}

func (Step) OS() string      { return "windows" }
func (Step) Skips() []string { return nil }

func (Step) Plan(_ *config.Project, jobs []osstep.Job) ([]osstep.Job, error) { return jobs, nil }

// Prepare refuses a main package that links resources of its own for a
// target, and opens sign.windows.
func (s Step) Prepare(ctx context.Context, b osstep.Build) (osstep.Run, error) {
	r := &run{b: b, main: b.Project.Abs(b.Project.Config.Main)}
	for _, j := range b.Jobs {
		if j.Target.OS == s.OS() {
			r.arches = append(r.arches, j.Target.Arch)
			if err := checkForeignSyso(b.Project, r.main, j.Target.Arch); err != nil {
				return nil, err
			}
		}
	}
	signer, err := newSigner(ctx, b)
	if err != nil {
		return nil, err
	}
	r.signer = signer
	return r, nil
}

// run is Windows's part in one build.
type run struct {
	osstep.NoRun
	b      osstep.Build
	main   string   // the main package's folder, where the .syso files go
	arches []string // of the build's Windows targets
	signer *signer  // nil without sign.windows
}

// BeforeCompile puts the target's resources beside the main package.
func (r *run) BeforeCompile(_ context.Context, t platform.Target, _ *compile.Request) (func(), error) {
	return embedResources(r.b, r.main, t)
}

// AfterCompile signs the executable before it goes into any archive or
// installer.
func (r *run) AfterCompile(ctx context.Context, t platform.Target, exe string) error {
	if r.signer == nil {
		return nil
	}
	if err := r.signer.sign(ctx, exe); err != nil {
		return fmt.Errorf("sign %s: %w", t, err)
	}
	return nil
}

// FormatInput gives a format the command that signs the programs it makes
// inside its artifact (an installer's uninstaller).
func (r *run) FormatInput(_ platform.Target, in *packager.Input) {
	if r.signer != nil {
		in.SignCommand, in.PassSignSecret = r.signer.command, r.signer.passSecret
	}
}

// SignOutput signs a format's file that Windows checks (an installer).
func (r *run) SignOutput(_ platform.Target, f packager.Format, _ string) func(context.Context, string) error {
	if so, ok := f.(packager.SignedOutput); ok && so.SignedAs() == packager.SignAuthenticode && r.signer != nil {
		return r.signer.sign
	}
	return nil
}

// Close removes the resource files beside the main package. Each compile
// removes its own right after go build; this covers a build an interrupt
// ended while go build still ran. The names are bundle's own
// (checkForeignSyso).
func (r *run) Close() {
	for _, arch := range r.arches {
		os.Remove(filepath.Join(r.main, sysoName(arch)))
	}
}
