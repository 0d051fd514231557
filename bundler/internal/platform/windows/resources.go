package windows

import (
	"bytes"
	"fmt"
	"go/build"
	"os"
	"path/filepath"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/icons"
	"github.com/bundlekit/bundle/bundler/internal/osstep"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/winres"
)

// sysoName is the resource object bundle puts beside the main package for
// one Windows build. The go command reads .syso files from disk, not from
// an overlay, so it has to be there while that build runs; its name limits
// it to its own GOOS/GOARCH, so builds of other targets ignore it.
func sysoName(arch string) string { return "zz_bundle_windows_" + arch + ".syso" }

// embedResources writes the icon, manifest and version info of a Windows
// target as a .syso into the main package folder dir and returns the
// function that removes it; the caller runs that right after go build,
// also when it fails or is cancelled. (Prepare checked that the folder
// holds no other .syso for the target.)
func embedResources(b osstep.Build, dir string, t platform.Target) (remove func(), err error) {
	nothing := func() {}
	c := b.Project.Config
	data, err := resources(c, t, b.Version, b.Icons, platform.ExeName(t.OS, c.Binary))
	if err != nil {
		return nothing, err
	}
	path := filepath.Join(dir, sysoName(t.Arch))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return nothing, fmt.Errorf("resources %s: %w", t, err)
	}
	return func() { os.Remove(path) }, nil
}

// resources renders the .syso bytes.
func resources(c config.Config, t platform.Target, v *semver.Version, set *icons.Set, exe string) ([]byte, error) {
	manifest, info, err := winres.FromConfig(c, v, exe)
	if err != nil {
		return nil, err
	}
	var icon []byte
	if set != nil {
		if icon, err = set.ICO(); err != nil {
			return nil, exitcode.Config(fmt.Errorf("icon: %w", err))
		}
	}
	var b bytes.Buffer
	if err := winres.Syso(&b, t.Arch, icon, manifest, info.Bytes()); err != nil {
		return nil, fmt.Errorf("resources %s: %w", t, err)
	}
	return b.Bytes(), nil
}

// checkForeignSyso refuses a main package that already links its own
// resources for this target: the linker takes one resource section.
// A file of bundle's own name is a leftover of a killed build and goes.
func checkForeignSyso(p *config.Project, dir, arch string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("resources: %w", err)
	}
	ctx := build.Context{GOOS: "windows", GOARCH: arch, Compiler: "gc"}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".syso") {
			continue
		}
		if name == sysoName(arch) {
			os.Remove(filepath.Join(dir, name))
			continue
		}
		if ok, _ := ctx.MatchFile(dir, name); ok {
			rel, _ := filepath.Rel(p.Dir, filepath.Join(dir, name))
			return exitcode.Config(fmt.Errorf("%s would give windows/%s a second resource section; remove it: bundle makes the icon, manifest and version info from bundle.yaml (icon:, windows.manifest:)", filepath.ToSlash(rel), arch))
		}
	}
	return nil
}
