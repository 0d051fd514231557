// Package formats is the one place that lists every artifact format bundle
// can make. Adding a format means writing its package and adding one line
// to All.
package formats

import (
	"sort"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/formats/app"
	"github.com/bundlekit/bundle/bundler/internal/formats/dmg"
	"github.com/bundlekit/bundle/bundler/internal/formats/linuxpkg"
	"github.com/bundlekit/bundle/bundler/internal/formats/msi"
	"github.com/bundlekit/bundle/bundler/internal/formats/nsis"
	"github.com/bundlekit/bundle/bundler/internal/formats/targz"
	"github.com/bundlekit/bundle/bundler/internal/formats/zip"
	"github.com/bundlekit/bundle/bundler/internal/packager"
)

// All returns every format, in the order artifacts are made for a target.
func All() []packager.Format {
	return []packager.Format{
		targz.Format{}, // .tar.gz of the app, for linux and darwin
		zip.Format{},   // portable .zip of the app, for every OS
		linuxpkg.Deb,   // Debian and Ubuntu package
		linuxpkg.RPM,   // Fedora, RHEL and openSUSE package
		linuxpkg.APK,   // Alpine package
		linuxpkg.Arch,  // Arch Linux package
		nsis.Format{},  // Windows installer (NSIS)
		msi.Format{},   // Windows Installer package (wixl)
		app.Format{},   // macOS .app bundle, zipped
		dmg.Format{},   // macOS disk image holding the .app
	}
}

// defaults are the formats made for an OS when bundle.yaml names none.
var defaults = map[string][]string{
	"linux":   {"tar.gz"},
	"darwin":  {"tar.gz"},
	"windows": {"zip"},
}

// Get returns the format called name.
func Get(name string) (packager.Format, bool) {
	for _, f := range All() {
		if f.Name() == name {
			return f, true
		}
	}
	return nil, false
}

// OSes are the operating systems bundle packages for.
func OSes() []string { return []string{"linux", "windows", "darwin"} }

// Known tells the config package which targets and formats exist.
func Known() config.Known {
	k := config.Known{Targets: Targets(), Formats: map[string][]string{}, DefaultFormats: defaults}
	for _, goos := range OSes() {
		for _, f := range All() {
			if f.Supports(goos) {
				k.Formats[goos] = append(k.Formats[goos], f.Name())
			}
		}
	}
	return k
}

// Targets lists the GOOS/GOARCH pairs bundle builds and packages: those of
// `go tool dist list` for the three desktop operating systems.
func Targets() []string {
	t := []string{
		"darwin/amd64", "darwin/arm64",
		"linux/386", "linux/amd64", "linux/arm", "linux/arm64", "linux/loong64",
		"linux/mips64le", "linux/ppc64le", "linux/riscv64", "linux/s390x",
		"windows/386", "windows/amd64", "windows/arm64",
	}
	sort.Strings(t)
	return t
}
