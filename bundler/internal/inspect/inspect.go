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
	"debug/pe"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/macsign"
	"github.com/bundlekit/bundle/bundler/internal/winres"
)

// Executable describes a Go executable.
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

	Resources      *winres.Resources `json:"resources,omitempty"`       // Windows executables
	ResourcesError string            `json:"resources_error,omitempty"` // why a PE's resources could not be read
	Signed         *bool             `json:"authenticode_signed,omitempty"`

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

// Path inspects the artifact at path. Nothing is read whole into memory:
// archives and packages are streamed, an executable is read where it lies,
// and each reader has caps on entries, sizes and what it holds, so a small
// hostile file cannot cost much memory, disk or time.
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
	if format := packageFormat(path, head); format != "" {
		p, err := readPackage(path, format, f, info.Size())
		if err != nil {
			return nil, fail(err)
		}
		return &Report{Package: p}, nil
	}
	s := &stampScanner{}
	if _, err := io.Copy(s, io.NewSectionReader(f, 0, info.Size())); err != nil {
		return nil, exitcode.Config(fmt.Errorf("inspect: %v", err))
	}
	x, err := executableAt(path, f, info.Size(), s, false)
	if err != nil {
		return nil, err
	}
	return &Report{Executable: x}, nil
}

// Hook is what the binary's stamp says about the runtime hook.
type Hook struct {
	Present bool `json:"present"`
	// Unknown says why inspect cannot tell, when it did not search the
	// whole executable: Present is then false but not known.
	Unknown  string `json:"unknown,omitempty"`
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

// authenticodeSigned reports whether a PE file has a certificate table
// (the security data directory), where Authenticode signatures live.
func authenticodeSigned(r io.ReaderAt) bool {
	f, err := pe.NewFile(r)
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
