// Package formats is the one place that lists every artifact format bundle
// can make. Adding a format means writing its package and adding one line
// to All.
package formats

import (
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/formats/app"
	"github.com/bundlekit/bundle/bundler/internal/formats/dmg"
	"github.com/bundlekit/bundle/bundler/internal/formats/linuxpkg"
	"github.com/bundlekit/bundle/bundler/internal/formats/msi"
	"github.com/bundlekit/bundle/bundler/internal/formats/msix"
	"github.com/bundlekit/bundle/bundler/internal/formats/nsis"
	"github.com/bundlekit/bundle/bundler/internal/formats/targz"
	"github.com/bundlekit/bundle/bundler/internal/formats/zip"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

// All returns every format, in the order artifacts are made for a target.
func All() []packager.Format {
	return []packager.Format{
		targz.Format{},     // .tar.gz of the app, for linux and darwin
		zip.Format{},       // portable .zip of the app, for every OS
		linuxpkg.Deb,       // Debian and Ubuntu package
		linuxpkg.RPM,       // Fedora, RHEL and openSUSE package
		linuxpkg.APK,       // Alpine package
		linuxpkg.ArchLinux, // Arch Linux package
		nsis.Format{},      // Windows installer (NSIS)
		msi.Format{},       // Windows Installer package (wixl)
		msix.Format{},      // MSIX package (nfpm)
		app.Format{},       // macOS .app bundle, zipped
		dmg.Format{},       // macOS disk image holding the .app
	}
}

// defaults are the formats made for an OS when bundle.yaml names none.
var defaults = map[string][]string{
	"linux":   {"tar.gz"},
	"darwin":  {"tar.gz"},
	"windows": {"zip"},
}

// Find returns the format of list called name.
func Find(list []packager.Format, name string) (packager.Format, bool) {
	for _, f := range list {
		if f.Name() == name {
			return f, true
		}
	}
	return nil, false
}

// Known tells the config package which targets and formats exist.
func Known() config.Known { return KnownOf(All()) }

// KnownOf is Known for a list of formats: the names each OS accepts and
// the formats' own checks of bundle.yaml.
func KnownOf(list []packager.Format) config.Known {
	k := config.Known{
		OSes: platform.OSes(), Targets: platform.Targets(), DefaultFormats: defaults,
		Formats: map[string][]string{}, Checks: map[string]func(*config.Project) error{},
	}
	for _, f := range list {
		for _, goos := range platform.OSes() {
			if f.Supports(goos) {
				k.Formats[goos] = append(k.Formats[goos], f.Name())
			}
		}
		if c, ok := f.(packager.ConfigChecker); ok {
			k.Checks[f.Name()] = c.CheckConfig
		}
	}
	return k
}
