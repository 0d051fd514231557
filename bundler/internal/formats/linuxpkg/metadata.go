package linuxpkg

import (
	"fmt"
	"strings"

	"github.com/goreleaser/nfpm/v2"

	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/version"
	"github.com/bundlekit/bundle/templates/text"
)

// metadata is the package's control data for format, without contents.
func metadata(in packager.Input, format Format) (*nfpm.Info, error) {
	c := in.Config
	arch, err := format.arch(in.Target, c.Build)
	if err != nil {
		return nil, err
	}
	info := &nfpm.Info{
		Name:          c.Linux.PackageName,
		Arch:          arch,
		Platform:      "linux",
		VersionSchema: "none", // bundle maps semver itself (bundler/version)
		Section:       field(c.Linux.Section),
		Priority:      "optional",
		Maintainer:    field(c.Maintainer),
		Description:   description(c.Name, c.Description, format),
		Vendor:        field(c.Publisher),
		Homepage:      field(c.Homepage),
		License:       field(c.License),
		MTime:         in.MTime,
		// Sources are file paths, never patterns: a file named "a[1].txt"
		// or "*" is packaged as itself.
		DisableGlobbing: true,
		Overridables: nfpm.Overridables{
			Depends:    format.relations(c.Linux.Depends),
			Recommends: format.relations(c.Linux.Recommends),
			Conflicts:  format.relations(c.Linux.Conflicts),
			Replaces:   format.relations(c.Linux.Replaces),
			RPM: nfpm.RPM{
				Group:     "Applications/System",
				Summary:   field(synopsis(c.Name, c.Description)),
				BuildHost: "bundle", // the default, the host name, would make builds differ
			},
			ArchLinux: nfpm.ArchLinux{Packager: field(c.Maintainer)},
		},
	}
	v := in.Version
	switch format {
	case Deb:
		// nfpm joins these as dpkg wants them, 1.2.3~rc.1+meta-1: the "~"
		// sorts a pre-release before its release.
		info.Version, info.Prerelease, info.VersionMetadata, info.Release = core(v.String()), v.Prerelease(), v.Metadata(), "1"
	case RPM:
		info.Version, info.Release = version.RPM(v)
	case APK:
		info.Version, info.Prerelease = version.APK(v, in.MTime)
		info.Release = "0"
	case ArchLinux:
		info.Version, info.Release = version.Arch(v), "1"
	}
	return info, nil
}

// core is the MAJOR.MINOR.PATCH of a semantic version string.
func core(v string) string {
	v, _, _ = strings.Cut(v, "+")
	v, _, _ = strings.Cut(v, "-")
	return v
}

// field is a value for a one-line field of a package's metadata (a deb
// control field, an rpm header tag, a .PKGINFO line): nfpm writes each as
// given, so a line break would start a field of its own. Spaces at the ends
// go too, as dpkg and pacman would drop them.
func field(s string) string { return strings.TrimSpace(text.Line(s)) }

// synopsis is the one-line summary: the description's first line (see
// text.Synopsis), or the name.
func synopsis(name, desc string) string {
	if s := text.Synopsis(desc); s != "" {
		return strings.TrimSuffix(s, ".")
	}
	return field(name)
}

// description is the synopsis, and for deb and rpm an extended description
// too: the description's paragraphs after a first line that sums it up,
// else "<name>: <synopsis>.". apk and Arch keep one line: their .PKGINFO is
// line-based. nfpm's deb writer folds the lines and writes " ." for a blank
// one; rpm keeps the text as it is.
func description(name, desc string, format Format) string {
	s := synopsis(name, desc)
	if format != Deb && format != RPM {
		return s
	}
	return s + "\n" + strings.Join(extended(name, desc), "\n\n")
}

// extended is the paragraphs of the extended description: the
// description's body (text.Body), else "<name>: <synopsis>.".
func extended(name, desc string) []string {
	if body := text.Body(desc); len(body) > 0 {
		return body
	}
	return []string{fmt.Sprintf("%s: %s.", field(name), synopsis(name, desc))}
}
