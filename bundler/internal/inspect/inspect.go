// Package inspect says what an artifact holds. For an executable: its OS
// and architecture, the Go toolchain and module it was built from, whether
// it carries bundle's runtime hook with which guard mode (read from the
// stamp the build put into the binary, never guessed) and, for Windows, its
// resources and signature. For a Linux package: its metadata and files.
// For a macOS .app (in a folder, zip or dmg): its Info.plist. For a tar.gz
// or zip: its entries and the executable inside. For an MSI: its product
// codes, install scope, files and signature.
package inspect

import (
	"bufio"
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/hook"
	"github.com/bundlekit/bundle/bundler/internal/macsign"
	"github.com/bundlekit/bundle/bundler/internal/winres"
)

// stampEnd closes the stamp that starts with hook.hook.StampPrefix.
const stampEnd = ";end"

// Executable describes a Go executable.
type Executable struct {
	Path      string `json:"path"`
	Format    string `json:"format"` // ELF, PE, Mach-O
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	GoVersion string `json:"go_version,omitempty"`
	Module    string `json:"module,omitempty"`
	Hook      Hook   `json:"hook"`

	Resources *winres.Resources `json:"resources,omitempty"` // Windows executables
	Signed    *bool             `json:"authenticode_signed,omitempty"`

	CodeSignature *macsign.Info `json:"code_signature,omitempty"` // macOS executables; nil when unsigned
}

// Report is what inspect found: an executable, a package, a macOS app, an
// archive or an MSI.
type Report struct {
	Executable *Executable `json:"executable,omitempty"`
	Package    *Package    `json:"package,omitempty"`
	MacApp     *MacApp     `json:"mac_app,omitempty"`
	Archive    *Archive    `json:"archive,omitempty"`
	MSI        *MSI        `json:"msi,omitempty"`
}

// Path inspects the artifact at path. Archives are streamed; other files
// are read whole.
func Path(ctx context.Context, path string) (*Report, error) {
	fail := func(err error) error {
		if exitcode.Of(err) == exitcode.MissingTool {
			return err
		}
		return exitcode.Config(fmt.Errorf("inspect: %s: %v", path, err))
	}
	if isMacApp(path) {
		a, err := readMacApp(ctx, path)
		if err != nil {
			return nil, fail(err)
		}
		return &Report{MacApp: a}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, exitcode.Config(fmt.Errorf("inspect: %v", err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, exitcode.Config(fmt.Errorf("inspect: %v", err))
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		a, app, err := readZip(path, f, info.Size())
		if err != nil {
			return nil, fail(err)
		}
		return &Report{Archive: a, MacApp: app}, nil
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}) && !strings.HasSuffix(path, ".apk"):
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, fail(err)
		}
		a, err := readTarGz(path, bufio.NewReader(f))
		if err != nil {
			return nil, fail(err)
		}
		return &Report{Archive: a}, nil
	case strings.HasSuffix(strings.ToLower(path), ".msi") || bytes.HasPrefix(head, cfbMagic):
		m, err := readMSI(ctx, path, head)
		if err != nil {
			return nil, fail(err)
		}
		return &Report{MSI: m}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, exitcode.Config(fmt.Errorf("inspect: %v", err))
	}
	if f := packageFormat(path, data); f != "" {
		p, err := readPackage(path, f, data)
		if err != nil {
			return nil, fail(err)
		}
		return &Report{Package: p}, nil
	}
	x, err := executable(path, data)
	if err != nil {
		return nil, err
	}
	return &Report{Executable: x}, nil
}

// Hook is what the binary's stamp says about the runtime hook.
type Hook struct {
	Present  bool   `json:"present"`
	Guard    string `json:"guard,omitempty"`
	Grace    string `json:"grace,omitempty"`
	MaxProcs string `json:"max_procs,omitempty"`
}

// isMacApp tells a .app folder or a disk image; readZip tells a zip
// holding a .app.
func isMacApp(p string) bool {
	if info, err := os.Stat(p); err == nil && info.IsDir() {
		return true
	}
	return strings.HasSuffix(p, ".dmg")
}

func executable(path string, data []byte) (*Executable, error) {
	x := &Executable{Path: path}
	if x.Format, x.OS, x.Arch = header(data); x.Format == "" {
		return nil, exitcode.Config(fmt.Errorf("inspect: %s is neither an executable (ELF, PE, Mach-O) nor a package or archive (deb, rpm, apk, pkg.tar.zst, msi, tar.gz, zip, dmg, .app) bundle can read", path))
	}
	if x.Format == "PE" {
		if res, err := winres.Read(bytes.NewReader(data)); err == nil {
			x.Resources = res
		}
		signed := authenticodeSigned(data)
		x.Signed = &signed
	}
	if x.OS == "darwin" {
		x.CodeSignature, _ = macsign.Read(data) // nil when unsigned or unreadable
	}
	if bi, err := buildinfo.Read(bytes.NewReader(data)); err == nil {
		x.GoVersion, x.Module = bi.GoVersion, bi.Main.Path
	}
	x.Hook = readStamp(data)
	return x, nil
}

// readStamp finds and parses the runtime hook's stamp.
func readStamp(data []byte) Hook {
	i := bytes.Index(data, []byte(hook.StampPrefix))
	if i < 0 {
		return Hook{}
	}
	rest := data[i+len(hook.StampPrefix):]
	j := bytes.Index(rest, []byte(stampEnd))
	if j < 0 || j > 256 {
		return Hook{}
	}
	h := Hook{Present: true}
	for _, kv := range strings.Split(string(rest[:j]), ";") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "guard":
			h.Guard = v
		case "grace":
			h.Grace = v
		case "max_procs":
			h.MaxProcs = v
		}
	}
	return h
}

// authenticodeSigned reports whether a PE file has a certificate table
// (the security data directory), where Authenticode signatures live.
func authenticodeSigned(data []byte) bool {
	f, err := pe.NewFile(bytes.NewReader(data))
	if err != nil {
		return false
	}
	const securityDirectory = 4
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader64:
		return oh.NumberOfRvaAndSizes > securityDirectory && oh.DataDirectory[securityDirectory].Size > 0
	case *pe.OptionalHeader32:
		return oh.NumberOfRvaAndSizes > securityDirectory && oh.DataDirectory[securityDirectory].Size > 0
	}
	return false
}

func header(data []byte) (format, goos, arch string) {
	r := bytes.NewReader(data)
	if f, err := elf.NewFile(r); err == nil {
		return "ELF", "linux", map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64", elf.EM_386: "386", elf.EM_ARM: "arm", elf.EM_RISCV: "riscv64", elf.EM_PPC64: "ppc64le", elf.EM_S390: "s390x", elf.EM_LOONGARCH: "loong64", elf.EM_MIPS: "mips64le"}[f.Machine]
	}
	if f, err := pe.NewFile(r); err == nil {
		return "PE", "windows", map[uint16]string{pe.IMAGE_FILE_MACHINE_AMD64: "amd64", pe.IMAGE_FILE_MACHINE_ARM64: "arm64", pe.IMAGE_FILE_MACHINE_I386: "386"}[f.Machine]
	}
	if f, err := macho.NewFile(r); err == nil {
		return "Mach-O", "darwin", map[macho.Cpu]string{macho.CpuAmd64: "amd64", macho.CpuArm64: "arm64"}[f.Cpu]
	}
	if _, err := macho.NewFatFile(r); err == nil {
		return "Mach-O universal", "darwin", "universal"
	}
	return "", "", ""
}
