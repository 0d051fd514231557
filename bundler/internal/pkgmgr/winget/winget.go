// Package winget writes a winget manifest set at schema 1.12.0, the
// version microsoft/winget-pkgs accepts: the version file, the installer
// file and the en-US default locale file. The installer is the MSI, the
// NSIS installer or the zip (a portable executable inside it).
package winget

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/formats/msi"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr"
	"github.com/bundlekit/bundle/templates/text"
)

// Format is each manifest file's format in artifacts.json.
const Format = "winget-manifest"

// ManifestVersion is the schema the files follow.
const ManifestVersion = "1.12.0"

// Manager is the winget manifest writer.
type Manager struct{}

func (Manager) Name() string                { return "winget" }
func (Manager) Formats() []string           { return []string{Format} }
func (Manager) OS() string                  { return "windows" }
func (Manager) Wanted(c config.Config) bool { return c.PackageManagers.Winget != nil }
func (Manager) CheckConfig(p *config.Project) error {
	if err := pkgmgr.CheckBase(p); err != nil {
		return err
	}
	need := []struct{ field, value, what string }{
		{"publisher", p.Config.Publisher, "the publisher's name, such as Example Corp"},
		{"license", p.Config.License, "the app's license, such as MIT"},
		{"description", p.Config.Description, "a summary sentence of what the app does"},
	}
	for _, n := range need {
		if n.value == "" {
			return p.Errorf(n.field, "a winget manifest needs %s; add %s:", n.what, n.field)
		}
	}
	return nil
}

type version struct {
	PackageIdentifier string `yaml:"PackageIdentifier"`
	PackageVersion    string `yaml:"PackageVersion"`
	DefaultLocale     string `yaml:"DefaultLocale"`
	ManifestType      string `yaml:"ManifestType"`
	ManifestVersion   string `yaml:"ManifestVersion"`
}

type locale struct {
	PackageIdentifier string `yaml:"PackageIdentifier"`
	PackageVersion    string `yaml:"PackageVersion"`
	PackageLocale     string `yaml:"PackageLocale"`
	Publisher         string `yaml:"Publisher"`
	PackageName       string `yaml:"PackageName"`
	PackageURL        string `yaml:"PackageUrl,omitempty"`
	License           string `yaml:"License"`
	Copyright         string `yaml:"Copyright,omitempty"`
	ShortDescription  string `yaml:"ShortDescription"`
	Description       string `yaml:"Description,omitempty"`
	ManifestType      string `yaml:"ManifestType"`
	ManifestVersion   string `yaml:"ManifestVersion"`
}

type installers struct {
	PackageIdentifier string      `yaml:"PackageIdentifier"`
	PackageVersion    string      `yaml:"PackageVersion"`
	Installers        []installer `yaml:"Installers"`
	ManifestType      string      `yaml:"ManifestType"`
	ManifestVersion   string      `yaml:"ManifestVersion"`
}

type installer struct {
	Architecture         string       `yaml:"Architecture"`
	InstallerType        string       `yaml:"InstallerType"`
	NestedInstallerType  string       `yaml:"NestedInstallerType,omitempty"`
	NestedInstallerFiles []nestedFile `yaml:"NestedInstallerFiles,omitempty"`
	Scope                string       `yaml:"Scope,omitempty"`
	InstallerURL         string       `yaml:"InstallerUrl"`
	InstallerSha256      string       `yaml:"InstallerSha256"`
	ProductCode          string       `yaml:"ProductCode,omitempty"`
}

type nestedFile struct {
	RelativeFilePath     string `yaml:"RelativeFilePath"`
	PortableCommandAlias string `yaml:"PortableCommandAlias,omitempty"`
}

// wingetArch is winget's name of each Windows architecture bundle builds.
var wingetArch = map[string]string{"amd64": "x64", "386": "x86", "arm64": "arm64"}

// kinds are the installers winget can be given, in the order the default
// prefers them for each architecture, each with its format in artifacts.json and winget's
// InstallerType.
var kinds = []struct{ name, format, installerType string }{
	{"msi", "msi", "msi"}, {"nsis", "nsis", "nullsoft"}, {"zip", "zip", "zip"},
}

func (Manager) Write(in pkgmgr.Input) ([]pkgmgr.File, error) {
	c := in.Config
	w := c.PackageManagers.Winget
	// Each architecture gets the first kind of installer the build made
	// for it (wixl makes no arm64 MSI: arm64 then gets the NSIS one).
	var list []installer
	done := map[string]bool{}
	for _, k := range kinds {
		if w.Installer != "" && w.Installer != k.name {
			continue
		}
		for _, a := range in.Find("windows", k.format) {
			if done[a.Arch] {
				continue
			}
			inst, ok, err := installerOf(in, k.installerType, a)
			if err != nil {
				return nil, err
			}
			if ok {
				list = append(list, inst)
				done[a.Arch] = true
			}
		}
	}
	if len(list) == 0 {
		what := "the Windows MSI, NSIS installer or zip"
		if w.Installer != "" {
			what = "the Windows " + w.Installer
		}
		return nil, pkgmgr.Missing(what)
	}
	id, v := w.PackageIdentifier, in.Version.String()
	docs := []struct {
		suffix, kind string
		doc          any
	}{
		{"", "version", version{id, v, "en-US", "version", ManifestVersion}},
		{".installer", "installer", installers{id, v, list, "installer", ManifestVersion}},
		{".locale.en-US", "defaultLocale", locale{
			PackageIdentifier: id, PackageVersion: v, PackageLocale: "en-US", Publisher: clip(c.Publisher, 256),
			PackageName: clip(c.Name, 256), PackageURL: c.Homepage, License: clip(c.License, 512),
			Copyright: clip(c.Copyright, 512), ShortDescription: clip(text.Synopsis(c.Description), 256),
			Description: clipText(c.Description, 10000), ManifestType: "defaultLocale", ManifestVersion: ManifestVersion}},
	}
	var files []pkgmgr.File
	for _, d := range docs {
		var b bytes.Buffer
		fmt.Fprintf(&b, "# yaml-language-server: $schema=https://aka.ms/winget-manifest.%s.%s.schema.json\n", d.kind, ManifestVersion)
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(d.doc); err != nil {
			return nil, err
		}
		files = append(files, pkgmgr.File{Name: id + d.suffix + ".yaml", Format: Format, OS: "windows", Data: b.Bytes()})
	}
	return files, nil
}

// installerOf describes artifact a as one installer of type typ; ok is
// false for an architecture winget does not know.
func installerOf(in pkgmgr.Input, typ string, a artifact.Artifact) (inst installer, ok bool, err error) {
	arch, ok := wingetArch[a.Arch]
	if !ok {
		return inst, false, nil
	}
	inst = installer{Architecture: arch, InstallerType: typ, InstallerURL: in.URL(a), InstallerSha256: toUpperHex(a.SHA256)}
	switch typ {
	case "zip":
		inst.NestedInstallerType = "portable"
		inst.NestedInstallerFiles = []nestedFile{{RelativeFilePath: pkgmgr.Folder(a) + `\` + in.Config.Binary + ".exe", PortableCommandAlias: in.Config.Binary}}
	case "msi":
		if inst.ProductCode, err = msi.ProductCodeOf(in.Config, in.Version); err != nil {
			return inst, false, err
		}
		fallthrough
	default:
		inst.Scope = scope(in.Config.Windows.InstallScope)
	}
	return inst, true, nil
}

// scope is winget's Scope of windows.install_scope (user by default).
func scope(s string) string {
	if s == "machine" {
		return "machine"
	}
	return "user"
}

func toUpperHex(s string) string { return string(bytes.ToUpper([]byte(s))) }

// clip puts s on one line of at most n characters, the schema's limit.
func clip(s string, n int) string {
	r := []rune(text.Line(s))
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

// clipText is clip for a text of several lines.
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}
