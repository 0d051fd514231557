package pipeline

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
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/version"
	"github.com/bundlekit/bundle/bundler/internal/winres"
)

// sysoName is the resource object bundle puts beside the main package for
// one Windows build. The go command reads .syso files from disk, not from
// an overlay, so it has to be there while that build runs; its name limits
// it to its own GOOS/GOARCH, so builds of other targets ignore it.
func sysoName(arch string) string { return "zz_bundle_windows_" + arch + ".syso" }

// embedResources writes the icon, manifest and version info of a Windows
// target as a .syso into the main package folder and returns the function
// that removes it; the caller runs that right after go build, also when it
// fails or is cancelled. (Run checked before that the folder holds no
// other .syso for the target.)
func embedResources(p *config.Project, t platform.Target, v *semver.Version, set *icons.Set, exe string) (remove func(), err error) {
	nothing := func() {}
	if t.OS != "windows" {
		return nothing, nil
	}
	dir := p.Abs(p.Config.Main)
	data, err := resources(p, t, v, set, exe)
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
func resources(p *config.Project, t platform.Target, v *semver.Version, set *icons.Set, exe string) ([]byte, error) {
	c := p.Config
	fileVersion, err := version.WindowsFile(v)
	if err != nil {
		return nil, exitcode.Config(fmt.Errorf("version: %w", err))
	}
	four := version.WindowsFileString(fileVersion)
	m := winres.NewManifest(orDefault(c.ID, c.Binary), four)
	m.ExecutionLevel = c.Windows.Manifest.ExecutionLevel
	m.DPIAwareness = c.Windows.Manifest.DPIAwareness
	m.LongPathAware = c.Windows.Manifest.LongPathAware == nil || *c.Windows.Manifest.LongPathAware
	m.UTF8 = c.Windows.Manifest.UTF8 == nil || *c.Windows.Manifest.UTF8
	m.CommonControls = c.GUI
	manifest, err := m.Render()
	if err != nil {
		return nil, exitcode.Config(fmt.Errorf("windows.manifest: %w", err))
	}
	info := winres.VersionInfo{
		FileVersion:    fileVersion,
		ProductVersion: fileVersion,
		Prerelease:     v.Prerelease() != "",
		Strings: winres.VersionStrings{
			CompanyName:      c.Publisher,
			FileDescription:  orDefault(c.Description, c.Name),
			FileVersion:      four,
			InternalName:     c.Binary,
			LegalCopyright:   c.Copyright,
			OriginalFilename: exe,
			ProductName:      c.Name,
			ProductVersion:   v.String(),
			Comments:         c.Homepage,
		},
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

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
