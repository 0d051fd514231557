package inspect

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/macho"
	"github.com/bundlekit/bundle/bundler/internal/macsign"
	"github.com/bundlekit/bundle/bundler/internal/proc"
)

// MacApp describes a macOS .app bundle: its Info.plist and the
// architectures of its executable.
type MacApp struct {
	Path   string   `json:"path"`
	Bundle string   `json:"bundle"` // <Name>.app
	Plist  []Field  `json:"info_plist"`
	Arches []string `json:"architectures"`

	CodeSignature *macsign.Info `json:"code_signature,omitempty"` // the main executable's; nil when unsigned
	Sealed        bool          `json:"resources_sealed"`         // Contents/_CodeSignature/CodeResources exists
}

// readMacApp finds a .app in a folder or a disk image (readZip finds one
// in a zip).
func readMacApp(ctx context.Context, p string) (*MacApp, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	switch {
	case info.IsDir() && strings.HasSuffix(filepath.Clean(p), ".app"):
		return appFromFS(p, os.DirFS(filepath.Dir(p)))
	case info.IsDir():
		return appFromFS(p, os.DirFS(p))
	case strings.HasSuffix(p, ".dmg"):
		return appFromImage(ctx, p)
	}
	return nil, errors.New("not a .app or dmg")
}

// appFromImage extracts the image's HFS+ volume with 7-Zip; reading HFS+
// in Go is more than inspect is worth. No -t type: 7-Zip then opens a
// UDIF image and the HFS+ volume inside it in one go (-tdmg would stop at
// the volume file), and the uncompressed hybrid images older versions of
// bundle made as ISO 9660.
func appFromImage(ctx context.Context, p string) (*MacApp, error) {
	sevenZip := ""
	for _, name := range []string{"7zz", "7z"} {
		if found, err := exec.LookPath(name); err == nil {
			sevenZip = found
			break
		}
	}
	if sevenZip == "" {
		return nil, exitcode.Tool(errors.New("reading a dmg needs 7-Zip; install it: apt-get install 7zip (Debian/Ubuntu), brew install sevenzip (macOS)"))
	}
	dir, err := os.MkdirTemp("", "bundle-inspect-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out, err := proc.Command(ctx, sevenZip, "x", "-y", "-o"+dir, p).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("7-Zip: %v: %s", err, lastLine(string(out)))
	}
	return appFromFS(p, os.DirFS(dir))
}

// appFromFS reads the first <Name>.app/Contents/Info.plist in fsys, at
// the top or one folder down (archives put the bundle either way).
func appFromFS(p string, fsys fs.FS) (*MacApp, error) {
	var plists []string
	for _, pattern := range []string{"*.app/Contents/Info.plist", "*/*.app/Contents/Info.plist"} {
		m, _ := fs.Glob(fsys, pattern)
		plists = append(plists, m...)
	}
	if len(plists) == 0 {
		return nil, errors.New("no .app bundle (<Name>.app/Contents/Info.plist) inside")
	}
	data, err := fs.ReadFile(fsys, plists[0])
	if err != nil {
		return nil, err
	}
	fields, err := plistFields(data)
	if err != nil {
		return nil, err
	}
	contents := path.Dir(plists[0])
	a := &MacApp{Path: p, Bundle: path.Base(path.Dir(contents)), Plist: fields}
	for _, f := range fields {
		if f.Key != "CFBundleExecutable" {
			continue
		}
		exe, err := fs.ReadFile(fsys, path.Join(contents, "MacOS", f.Value))
		if err != nil {
			return nil, fmt.Errorf("executable %s: %w", f.Value, err)
		}
		a.Arches = machoArches(exe)
		a.CodeSignature, _ = macsign.Read(exe)
	}
	_, err = fs.Stat(fsys, path.Join(contents, "_CodeSignature", "CodeResources"))
	a.Sealed = err == nil
	return a, nil
}

// machoArches lists a Mach-O executable's architectures, thin or fat.
func machoArches(exe []byte) []string {
	if slices, err := macho.Slices(bytes.NewReader(exe)); err == nil {
		var out []string
		for _, s := range slices {
			out = append(out, s.CPU)
		}
		return out
	}
	if _, goos, arch := header(exe); goos == "darwin" {
		return []string{arch}
	}
	return nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// plistFields reads the top-level dict of an XML property list.
func plistFields(data []byte) ([]Field, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var out []Field
	var key string
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("Info.plist: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			if _, end := tok.(xml.EndElement); end {
				depth--
			}
			continue
		}
		depth++
		if depth != 3 { // plist > dict > entries
			continue
		}
		switch se.Name.Local {
		case "key":
			if err := dec.DecodeElement(&key, &se); err != nil {
				return nil, err
			}
			depth--
		case "true", "false":
			out = append(out, Field{key, se.Name.Local})
		default:
			var v string
			if err := dec.DecodeElement(&v, &se); err != nil {
				return nil, err
			}
			depth--
			out = append(out, Field{key, v})
		}
	}
}
