package linuxpkg

import (
	"fmt"
	"strings"

	"github.com/goreleaser/nfpm/v2"

	"github.com/bundlekit/bundle/bundler/packager"
	"github.com/bundlekit/bundle/bundler/version"
)

// metadata is the package's control data for format, without contents.
func metadata(in packager.Input, format string) *nfpm.Info {
	c := in.Config
	info := &nfpm.Info{
		Name:          c.Linux.PackageName,
		Arch:          in.Target.Arch,
		Platform:      "linux",
		VersionSchema: "none", // bundle maps semver itself (bundler/version)
		Section:       c.Linux.Section,
		Priority:      "optional",
		Maintainer:    c.Maintainer,
		Description:   description(c.Name, c.Description, format),
		Vendor:        c.Publisher,
		Homepage:      c.Homepage,
		License:       c.License,
		MTime:         in.MTime,
		Overridables: nfpm.Overridables{
			Depends:    c.Linux.Depends.For(format),
			Recommends: c.Linux.Recommends.For(format),
			Conflicts:  c.Linux.Conflicts.For(format),
			Replaces:   c.Linux.Replaces.For(format),
			RPM: nfpm.RPM{
				Group:     "Applications/System",
				Summary:   synopsis(c.Name, c.Description),
				BuildHost: "bundle", // the default, the host name, would make builds differ
			},
			ArchLinux: nfpm.ArchLinux{Packager: c.Maintainer},
		},
	}
	v := in.Version
	switch format {
	case "deb":
		info.Version, info.Prerelease, info.VersionMetadata, info.Release = core(v.String()), v.Prerelease(), v.Metadata(), "1"
	case "rpm":
		info.Version, info.Release = version.RPM(v)
	case "apk":
		info.Version, info.Prerelease = version.APK(v)
		info.Release = "0"
	case "archlinux":
		info.Version, info.Release = version.Arch(v), "1"
	}
	return info
}

// core is the MAJOR.MINOR.PATCH of a semantic version string.
func core(v string) string {
	v, _, _ = strings.Cut(v, "+")
	v, _, _ = strings.Cut(v, "-")
	return v
}

// synopsis is the one-line summary: the description, or the name.
func synopsis(name, desc string) string {
	if desc == "" {
		return name
	}
	return strings.TrimSuffix(desc, ".")
}

// description is the synopsis, and for deb and rpm an extended description
// too. apk and Arch keep one line: their .PKGINFO is line-based.
func description(name, desc, format string) string {
	s := synopsis(name, desc)
	if format != "deb" && format != "rpm" {
		return s
	}
	return fmt.Sprintf("%s\n%s: %s.", s, name, s)
}
