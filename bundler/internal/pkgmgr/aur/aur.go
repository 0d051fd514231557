// Package aur writes an AUR -bin package for the Linux tar.gz archives:
// <name>.PKGBUILD and <name>.SRCINFO, which the AUR's git repository
// holds as PKGBUILD and .SRCINFO.
package aur

import (
	"regexp"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr"
	"github.com/bundlekit/bundle/templates"
	"github.com/bundlekit/bundle/templates/text"
)

// Formats of the two files in artifacts.json.
const (
	PKGBUILDFormat = "aur-pkgbuild"
	SRCINFOFormat  = "aur-srcinfo"
)

// Manager is the AUR package writer.
type Manager struct{}

func (Manager) Name() string                { return "aur" }
func (Manager) Formats() []string           { return []string{PKGBUILDFormat, SRCINFOFormat} }
func (Manager) OS() string                  { return "linux" }
func (Manager) Wanted(c config.Config) bool { return c.PackageManagers.AUR != nil }
func (Manager) CheckConfig(p *config.Project) error {
	if err := pkgmgr.CheckBase(p); err != nil {
		return err
	}
	switch {
	case p.Config.Homepage == "":
		return p.Errorf("homepage", "an AUR package needs the app's homepage; add homepage: such as https://example.com/%s", p.Config.Binary)
	case p.Config.License == "":
		return p.Errorf("license", "an AUR package needs the app's license; add license: with its SPDX name, such as MIT")
	case p.Config.Maintainer == "":
		return p.Errorf("maintainer", "an AUR package names its maintainer; add maintainer: such as Jane Doe <jane@example.com>")
	}
	return nil
}

// archName is Arch Linux's name of each Linux architecture bundle builds.
var archName = map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i686"}

type source struct{ Arch, Source, SHA256, Folder string }

type pkgbuild struct {
	Name, Pkgver, Desc, URL, License, Provides, Binary, Maintainer string
	Sources                                                        []source
	Opt                                                            bool // the app ships files: it goes to /opt/<name>
}

// Name is the AUR package's name: aur.name, else the Linux package's
// name with -bin.
func Name(c config.Config) string {
	if c.PackageManagers.AUR != nil && c.PackageManagers.AUR.Name != "" {
		return c.PackageManagers.AUR.Name
	}
	return base(c) + "-bin"
}

func base(c config.Config) string {
	if c.Linux.PackageName != "" {
		return c.Linux.PackageName
	}
	return strings.ToLower(c.Binary)
}

func (Manager) Write(in pkgmgr.Input) ([]pkgmgr.File, error) {
	c := in.Config
	p := pkgbuild{Name: Name(c), Pkgver: Pkgver(in.Version), Desc: text.Synopsis(c.Description), URL: c.Homepage,
		License: text.Line(c.License), Provides: base(c), Binary: c.Binary, Maintainer: c.Maintainer, Opt: len(c.Files) > 0}
	for _, a := range in.Find("linux", "tar.gz") {
		arch, ok := archName[a.Arch]
		if !ok {
			continue
		}
		p.Sources = append(p.Sources, source{Arch: arch, SHA256: a.SHA256, Folder: pkgmgr.Folder(a),
			Source: p.Name + "-" + p.Pkgver + "-" + arch + ".tar.gz::" + in.URL(a)})
	}
	if len(p.Sources) == 0 {
		return nil, pkgmgr.Missing("the Linux tar.gz")
	}
	var files []pkgmgr.File
	for _, f := range []struct{ tmpl, suffix, format string }{
		{"pkgmgr/PKGBUILD.tmpl", ".PKGBUILD", PKGBUILDFormat},
		{"pkgmgr/SRCINFO.tmpl", ".SRCINFO", SRCINFOFormat},
	} {
		data, err := templates.Render(f.tmpl, p)
		if err != nil {
			return nil, err
		}
		files = append(files, pkgmgr.File{Name: p.Name + f.suffix, Format: f.format, OS: "linux", Data: data})
	}
	return files, nil
}

// notAlnum is what a pre-release loses in a pkgver.
var notAlnum = regexp.MustCompile(`[^A-Za-z0-9]`)

// Pkgver is v as pacman's pkgver, which may hold no '-': a pre-release
// joins the version without its separators (1.2.3-rc.1 is 1.2.3rc1, which
// vercmp puts before 1.2.3), and build metadata is dropped.
func Pkgver(v *semver.Version) string {
	core := strings.SplitN(strings.SplitN(v.String(), "-", 2)[0], "+", 2)[0]
	pre := notAlnum.ReplaceAllString(v.Prerelease(), "")
	if pre != "" && pre[0] >= '0' && pre[0] <= '9' {
		pre = "pre" + pre // a digit would join the patch number
	}
	return core + pre
}
