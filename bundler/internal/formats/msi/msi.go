// Package msi makes a Windows Installer package (.msi) of the staged app
// with wixl from msitools, which builds MSI databases on Linux and macOS
// from WiX v3 sources. The source is rendered from
// templates/windows/product.wxs.tmpl.
//
// What the package does on Windows: it installs the app folder (the
// executable and every configured file, sub-folders too) into
// %LOCALAPPDATA%\Programs\<name> for install_scope user (no elevation) or
// into Program Files for machine, adds a Start Menu shortcut (and a desktop
// shortcut with windows.desktop_shortcut), shows the icon and homepage in
// "Installed apps", replaces any other version of the app on install
// (MajorUpgrade) and refuses to replace a newer one. Uninstalling removes
// everything it installed, folders included.
//
// # Codes
//
// The UpgradeCode, which ties every version of an app together, is a
// UUIDv5 of the app id (or of the binary name when there is no id) in
// upgradeNamespace, so it never changes between builds or machines. The
// ProductCode is a UUIDv5 of the UpgradeCode and the ProductVersion: the same
// version always gets the same ProductCode and each new version a new one,
// which is what a major upgrade needs. The amd64 and 386 packages of one
// version share it on purpose, so the app is never registered twice:
// Windows Installer treats the second as the product already installed (it
// refuses a different package of an installed ProductCode unless asked to
// reinstall; Wine 8's msiexec accepted it and still listed one product).
// Component GUIDs are UUIDv5s of the UpgradeCode, scope, architecture and
// the file's path inside the app.
//
// # Versions
//
// An MSI ProductVersion is major.minor.build with major and minor at most
// 255 and build at most 65535 (see version.MSIProduct); wixl checks none of
// this, so Package refuses such versions before running it. Windows
// Installer compares only those three fields, so a pre-release and its
// release share a ProductVersion and a ProductCode: installing 1.2.0 over
// 1.2.0-rc.1 needs the release candidate uninstalled first.
//
// # Text
//
// wixl 0.101 writes the database's strings in Windows-1252 and silently
// writes an empty string for text it cannot convert, so Package refuses
// names, descriptions and file names with other characters (such as CJK)
// with a configuration error. Its preprocessor expands "$(…)" everywhere, even in
// file names and attribute values; "$" is escaped for it, and a "$(" that
// cannot be escaped is refused.
//
// # Reproducibility
//
// wixl 0.101 writes a random PackageCode (the summary information's
// "Revision number") and the current time as the "Created" and "Last saved"
// times, and honours no SOURCE_DATE_EPOCH; everything else (all tables, the
// embedded cabinet, the icon) is the same between two builds of the same
// input. Package therefore rewrites those summary fields in place (see
// makeReproducible): the times become the build's source time, and the
// PackageCode is derived from the UpgradeCode, the version, the
// architecture and the package's content, so two builds with the same
// SOURCE_DATE_EPOCH give byte-identical MSI files, signed or not.
package msi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/proc"
	"github.com/bundlekit/bundle/bundler/internal/tool"
	"github.com/bundlekit/bundle/bundler/internal/version"
	updatefeed "github.com/bundlekit/bundle/runtimehooks/update/feed"
	"github.com/bundlekit/bundle/templates"
)

// Wixl is the MSI compiler of msitools.
var Wixl = tool.Tool{
	Name:        "wixl (msitools)",
	Command:     "wixl",
	VersionArgs: []string{"--version"},
	Debian:      "wixl",
	Homebrew:    "msitools",
	Windows:     "install the WiX Toolset",
}

// Format is the msi format.
type Format struct{}

// SignedAs says the installer itself carries an Authenticode signature.
func (Format) SignedAs() string { return packager.SignAuthenticode }

func (Format) Name() string                      { return "msi" }
func (Format) Supports(goos string) bool         { return goos == "windows" }
func (Format) Tools() []tool.Tool                { return []tool.Tool{Wixl} }
func (Format) FileName(in packager.Input) string { return in.Stem + ".msi" }

// InstallKind: an update runs the new package silently.
func (Format) InstallKind() updatefeed.Kind { return updatefeed.MSI }

// SupportsArch reports whether wixl can make an MSI for arch.
func (Format) SupportsArch(arch string) (bool, string) {
	if _, err := wixlArch(arch); err != nil {
		return false, err.Error()
	}
	return true, ""
}

// Check reports, without running anything, whether Package can make an MSI
// of c for target t and version v: wixl 0.101 builds only x86 and x64
// packages, the version must fit an MSI ProductVersion and the texts
// wixl's character set (checkTexts). Its errors are configuration errors
// (exit 2), so a build can refuse before it writes anything.
func (Format) Check(c config.Config, t platform.Target, v *semver.Version) error {
	if _, err := wixlArch(t.Arch); err != nil {
		return err
	}
	if _, err := productVersion(v); err != nil {
		return err
	}
	return checkTexts(c)
}

// Package renders the WiX source into in.WorkDir and runs wixl there,
// which writes the .msi at dest; its summary is then made reproducible in
// place.
func (Format) Package(ctx context.Context, in packager.Input, dest string) error {
	arch, err := prepare(in)
	if err != nil {
		return err
	}
	wixl, err := tool.Find(Wixl, "msi")
	if err != nil {
		return err
	}
	var log bytes.Buffer
	cmd := proc.Command(ctx, wixl, "-a", arch, "-o", dest, wxsFile)
	cmd.Dir = in.WorkDir
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("wixl -a %s failed (%v): %s", arch, err, summary(log.String()))
	}
	upgrade := UpgradeCode(in.Config.ID, in.Config.Binary)
	return makeReproducible(dest, upgrade, in.Version.String(), arch, in.MTime)
}

// wxsFile is the WiX source Package writes in in.WorkDir, beside src/ and
// app.ico.
const wxsFile = "product.wxs"

// prepare checks the target and version, and writes the WiX source and the
// files it names into in.WorkDir. It returns wixl's -a value.
func prepare(in packager.Input) (arch string, err error) {
	arch, err = wixlArch(in.Target.Arch)
	if err != nil {
		return "", err
	}
	pv, err := productVersion(in.Version)
	if err != nil {
		return "", err
	}
	p, err := describe(in, arch, pv)
	if err != nil {
		return "", err
	}
	wxs, err := templates.Render("windows/product.wxs.tmpl", p)
	if err != nil {
		return "", err
	}
	return arch, os.WriteFile(filepath.Join(in.WorkDir, wxsFile), wxs, 0o644)
}

// wixlArch is wixl's -a value for a GOARCH.
func wixlArch(goarch string) (string, error) {
	switch goarch {
	case "amd64":
		return "x64", nil
	case "386":
		return "x86", nil
	case "arm64":
		return "", exitcode.Config(errors.New("msi: wixl cannot build arm64 MSI packages; drop msi for windows/arm64 or use nsis"))
	}
	return "", exitcode.Config(fmt.Errorf("msi: wixl cannot build MSI packages for windows/%s; only for windows/amd64 and windows/386", goarch))
}

// productVersion is the checked MSI ProductVersion.
func productVersion(v *semver.Version) (string, error) {
	pv, err := version.MSIProduct(v)
	if err != nil {
		return "", exitcode.Config(fmt.Errorf("%w (limits: major ≤ 255, minor ≤ 255, patch ≤ 65535); release a version within them or drop msi from formats.windows", err))
	}
	return pv, nil
}

// summary turns wixl's output into one line: its last non-empty lines
// without GLib's noise.
func summary(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return "no output"
	}
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return strings.Join(lines, " | ")
}
