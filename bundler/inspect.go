package bundler

import (
	"github.com/bundlekit/bundle/bundler/internal/inspect"
	"github.com/bundlekit/bundle/bundler/internal/version"
	"github.com/bundlekit/bundle/bundler/internal/winres"
)

// Report is what Inspect found: an executable, a package, a macOS app, an
// archive or an MSI. One of its fields is set. Its JSON is what `bundle
// inspect --json` prints.
type Report struct {
	Executable *Executable `json:"executable,omitempty"`
	Package    *Package    `json:"package,omitempty"`
	MacApp     *MacApp     `json:"mac_app,omitempty"`
	Archive    *Archive    `json:"archive,omitempty"`
	MSI        *MSI        `json:"msi,omitempty"`
}

// Executable describes a Go executable: an ELF, PE or Mach-O file.
type Executable struct {
	Path      string `json:"path"`
	Format    string `json:"format"` // ELF, PE, Mach-O
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	GoVersion string `json:"go_version,omitempty"`
	Module    string `json:"module,omitempty"`
	Hook      Hook   `json:"hook"`
	Size      int64  `json:"size"`
	// ReadInPart says how much of a large executable inside an archive was
	// read, when not all of it was; "" when it was read whole.
	ReadInPart string `json:"read_in_part,omitempty"`

	Resources      *WindowsResources `json:"resources,omitempty"`           // Windows executables
	ResourcesError string            `json:"resources_error,omitempty"`     // why a PE's resources could not be read
	Signed         *bool             `json:"authenticode_signed,omitempty"` // Windows executables: whether an Authenticode signature is present

	CodeSignature *CodeSignature `json:"code_signature,omitempty"` // macOS executables; nil when unsigned
}

// Hook is what the executable's stamp says about bundle's runtime hook.
type Hook struct {
	Present bool `json:"present"`
	// Unknown says why inspect cannot tell, when it did not search the
	// whole executable: Present is then false but not known.
	Unknown  string `json:"unknown,omitempty"`
	Guard    string `json:"guard,omitempty"`
	Grace    string `json:"grace,omitempty"`
	MaxProcs string `json:"max_procs,omitempty"`
}

// WindowsResources are the icon group, manifest and version resources of
// a Windows executable. Fields stay empty when the file lacks that
// resource.
type WindowsResources struct {
	// IconSizes are the image widths of the first icon group, the one
	// Explorer shows, in stored order.
	IconSizes []int        `json:"icon_sizes,omitempty"`
	Manifest  string       `json:"manifest,omitempty"` // the application manifest's XML
	Version   *VersionInfo `json:"version,omitempty"`
}

// ManifestSettings picks the settings a reader cares about out of the
// application manifest, as "label: value": the execution level, DPI
// awareness, long paths, the code page and Common Controls, in that
// order. A manifest that is not well-formed XML is an error.
func (r *WindowsResources) ManifestSettings() ([]string, error) {
	return winres.ManifestSettings(r.Manifest)
}

// VersionInfo is what a Windows executable's version resource says.
type VersionInfo struct {
	FileVersion    [4]uint16 `json:"file_version"`
	ProductVersion [4]uint16 `json:"product_version"`
	Prerelease     bool      `json:"prerelease,omitempty"`
	// Language and CodePage name the string table read (the first one),
	// e.g. 0x0409 and 1200.
	Language uint16          `json:"language"`
	CodePage uint16          `json:"code_page"`
	Strings  []VersionString `json:"strings,omitempty"` // in stored order
}

// VersionString is one entry of a version resource's string table.
type VersionString struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Lookup returns the value of the string named key, "" when absent.
func (v *VersionInfo) Lookup(key string) string {
	for _, s := range v.Strings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// FileString is the file version as Windows shows it, "1.2.3.0".
func (v *VersionInfo) FileString() string { return version.WindowsFileString(v.FileVersion) }

// ProductString is the product version as Windows shows it.
func (v *VersionInfo) ProductString() string { return version.WindowsFileString(v.ProductVersion) }

// CodeSignature is what a Mach-O code signature says. It is read, not
// verified.
type CodeSignature struct {
	Identifier   string   `json:"identifier"`
	TeamID       string   `json:"team_id,omitempty"`
	Signer       string   `json:"signer,omitempty"` // the signing certificate's common name; "" for ad-hoc
	Flags        []string `json:"flags,omitempty"`  // adhoc, runtime, linker-signed
	Entitlements []string `json:"entitlements,omitempty"`
	Timestamp    string   `json:"timestamp,omitempty"` // the secure timestamp's time (RFC 3339), read from its token; "" when none
}

// Package describes a Linux package: its metadata and the files it
// installs.
type Package struct {
	Path   string   `json:"path"`
	Format string   `json:"format"` // deb, rpm, apk, archlinux
	Fields []Field  `json:"fields"`
	Files  []string `json:"files"`
	// Unsafe lists the entries whose path would install outside the
	// root it is installed into (a ".." step, or an absolute path in a
	// payload), each as "path: why"; bundle never writes one.
	Unsafe []string `json:"unsafe,omitempty"`
}

// Field is one metadata field, in its file's own order.
type Field struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// MacApp describes a macOS .app bundle: its Info.plist and the
// architectures of its executable.
type MacApp struct {
	Path   string   `json:"path"`
	Bundle string   `json:"bundle"` // <Name>.app
	Plist  []Field  `json:"info_plist"`
	Arches []string `json:"architectures"`

	CodeSignature *CodeSignature `json:"code_signature,omitempty"` // the main executable's; nil when unsigned
	Sealed        bool           `json:"resources_sealed"`         // Contents/_CodeSignature/CodeResources exists
	// ExecutableReadInPart says how much of a main executable larger than
	// inspect holds was read; "" when it was read whole.
	ExecutableReadInPart string `json:"executable_read_in_part,omitempty"`
}

// Archive describes a tar.gz or zip: every entry, as its headers say, and
// the executable inside. Nothing is unpacked to disk.
type Archive struct {
	Path       string      `json:"path"`
	Format     string      `json:"format"`           // tar.gz, zip
	Folder     string      `json:"folder,omitempty"` // the one top folder every entry is in, "" when there is none
	Entries    []Entry     `json:"entries"`
	Executable *Executable `json:"executable,omitempty"` // Path is the entry's path
}

// Entry is one file, folder or link in an archive.
type Entry struct {
	Path   string `json:"path"`
	Type   string `json:"type"` // file, dir, symlink, hardlink, other
	Size   int64  `json:"size"`
	Mode   string `json:"mode"`                  // permission bits in octal, such as 0755
	Target string `json:"link_target,omitempty"` // a link's target
	// Unsafe says why unpacking the entry would write outside the folder
	// it is unpacked into; "" for a safe entry.
	Unsafe string `json:"unsafe,omitempty"`
}

// MSI describes a Windows Installer package, as msiinfo (msitools) reads
// it.
type MSI struct {
	Path           string `json:"path"`
	ProductName    string `json:"product_name"`
	ProductVersion string `json:"product_version"`
	Manufacturer   string `json:"manufacturer"`
	ProductCode    string `json:"product_code"`
	UpgradeCode    string `json:"upgrade_code"`
	PackageCode    string `json:"package_code"` // the summary's revision number
	Arch           string `json:"arch"`         // from the summary's template: amd64, 386, arm64
	// InstallScope is "machine" (ALLUSERS=1), "user" (no ALLUSERS) or
	// "either" (ALLUSERS=2: the user chooses).
	InstallScope string `json:"install_scope"`
	// ElevationRequired is false when the summary's word count says the
	// package needs no administrator rights (bit 3), as per-user ones do.
	ElevationRequired bool      `json:"elevation_required"`
	Signed            bool      `json:"authenticode_signed"`
	Summary           []Field   `json:"summary"`
	Properties        []Field   `json:"properties"`
	Files             []MSIFile `json:"files"`
	Shortcuts         []string  `json:"shortcuts,omitempty"` // where each goes: [ProgramMenuFolder]\Name
}

// MSIFile is a file an MSI installs.
type MSIFile struct {
	Path string `json:"path"` // where it goes, from the standard folder: [ProgramFiles64Folder]\App\app.exe
	Size int64  `json:"size"`
}

func reportOf(r *inspect.Report) *Report {
	if r == nil {
		return nil
	}
	return &Report{
		Executable: executableOf(r.Executable),
		Package:    packageOf(r.Package),
		MacApp:     macAppOf(r.MacApp),
		Archive:    archiveOf(r.Archive),
		MSI:        msiOf(r.MSI),
	}
}

func executableOf(x *inspect.Executable) *Executable {
	if x == nil {
		return nil
	}
	return &Executable{
		Path:           x.Path,
		Format:         x.Format,
		OS:             x.OS,
		Arch:           x.Arch,
		GoVersion:      x.GoVersion,
		Module:         x.Module,
		Hook:           Hook(x.Hook),
		Size:           x.Size,
		ReadInPart:     x.ReadInPart,
		Resources:      windowsResourcesOf(x.Resources),
		ResourcesError: x.ResourcesError,
		Signed:         x.Signed,
		CodeSignature:  (*CodeSignature)(x.CodeSignature),
	}
}

func windowsResourcesOf(r *winres.Resources) *WindowsResources {
	if r == nil {
		return nil
	}
	return &WindowsResources{IconSizes: r.IconSizes, Manifest: r.Manifest, Version: versionInfoOf(r.Version)}
}

func versionInfoOf(v *winres.ParsedVersion) *VersionInfo {
	if v == nil {
		return nil
	}
	return &VersionInfo{
		FileVersion:    v.FileVersion,
		ProductVersion: v.ProductVersion,
		Prerelease:     v.Prerelease,
		Language:       v.Language,
		CodePage:       v.CodePage,
		Strings:        convertAll(v.Strings, func(s winres.VersionString) VersionString { return VersionString(s) }),
	}
}

func packageOf(p *inspect.Package) *Package {
	if p == nil {
		return nil
	}
	return &Package{Path: p.Path, Format: p.Format, Fields: fieldsOf(p.Fields), Files: p.Files, Unsafe: p.Unsafe}
}

func fieldsOf(fs []inspect.Field) []Field {
	return convertAll(fs, func(f inspect.Field) Field { return Field(f) })
}

func macAppOf(a *inspect.MacApp) *MacApp {
	if a == nil {
		return nil
	}
	return &MacApp{
		Path:                 a.Path,
		Bundle:               a.Bundle,
		Plist:                fieldsOf(a.Plist),
		Arches:               a.Arches,
		CodeSignature:        (*CodeSignature)(a.CodeSignature),
		Sealed:               a.Sealed,
		ExecutableReadInPart: a.ExecutableReadInPart,
	}
}

func archiveOf(a *inspect.Archive) *Archive {
	if a == nil {
		return nil
	}
	return &Archive{
		Path:       a.Path,
		Format:     a.Format,
		Folder:     a.Folder,
		Entries:    convertAll(a.Entries, func(e inspect.Entry) Entry { return Entry(e) }),
		Executable: executableOf(a.Executable),
	}
}

func msiOf(m *inspect.MSI) *MSI {
	if m == nil {
		return nil
	}
	return &MSI{
		Path:              m.Path,
		ProductName:       m.ProductName,
		ProductVersion:    m.ProductVersion,
		Manufacturer:      m.Manufacturer,
		ProductCode:       m.ProductCode,
		UpgradeCode:       m.UpgradeCode,
		PackageCode:       m.PackageCode,
		Arch:              m.Arch,
		InstallScope:      m.InstallScope,
		ElevationRequired: m.ElevationRequired,
		Signed:            m.Signed,
		Summary:           fieldsOf(m.Summary),
		Properties:        fieldsOf(m.Properties),
		Files:             convertAll(m.Files, func(f inspect.MSIFile) MSIFile { return MSIFile(f) }),
		Shortcuts:         m.Shortcuts,
	}
}
