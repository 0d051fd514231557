package inspect

import (
	"bufio"
	"bytes"
	"context"
	"debug/macho"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	bmacho "github.com/bundlekit/bundle/bundler/internal/macho"
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
	// ExecutableReadInPart says how much of a main executable larger than
	// inspect holds was read; "" when it was read whole.
	ExecutableReadInPart string `json:"executable_read_in_part,omitempty"`
}

// Limits on what inspect reads of a .app: bundle's Info.plist is 2 kB, and
// 7-Zip lists an image in about 100 bytes an entry.
const (
	maxPlist   = 1 << 20
	maxListing = 64 << 20
)

// readStart reads name from fsys whole when it is at most limit bytes,
// else its first limit bytes; size is its whole size.
func readStart(fsys fs.FS, name string, limit int64) (data []byte, size int64, err error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if !info.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("not a regular file (%s)", info.Mode().Type())
	}
	data = make([]byte, max(0, min(info.Size(), limit)))
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, 0, err
	}
	return data, info.Size(), nil
}

// fatArches lists the architectures a universal binary's header names,
// from its first bytes alone; a thin one's is arch.
func fatArches(head []byte, arch string) []string {
	switch arch {
	case "":
		return nil
	case "universal":
	default:
		return []string{arch}
	}
	n := binary.BigEndian.Uint32(head[4:])
	var out []string
	for i := uint32(0); i < n && 8+20*int(i)+4 <= len(head); i++ {
		out = append(out, machoArch(macho.Cpu(binary.BigEndian.Uint32(head[8+20*i:]))))
	}
	return out
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

// appFromImage reads a disk image with 7-Zip; reading HFS+ in Go is more
// than inspect is worth. No -t type: 7-Zip then opens a UDIF image and the
// HFS+ volume inside it in one go (-tdmg would stop at the volume file),
// and the uncompressed hybrid images older versions of bundle made as ISO
// 9660. Nothing is unpacked to disk: the image is listed, and the
// Info.plist and the start of the executable are streamed from 7-Zip's
// standard output, so a small image that unpacks to gigabytes costs none
// of them.
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
	entries, err := listImage(ctx, sevenZip, p)
	if err != nil {
		return nil, err
	}
	var plist imageEntry
	for _, pattern := range []string{"*.app/Contents/Info.plist", "*/*.app/Contents/Info.plist"} {
		for _, e := range entries {
			if ok, _ := path.Match(pattern, e.Path); ok && plist.Path == "" {
				plist = e
			}
		}
	}
	if plist.Path == "" {
		return nil, errors.New("no .app bundle (<Name>.app/Contents/Info.plist) inside")
	}
	if plist.Size > maxPlist {
		return nil, fmt.Errorf("%s is %s, more than the %s inspect reads of an Info.plist", plist.Path, humanBytes(plist.Size), humanBytes(maxPlist))
	}
	data, err := streamFromImage(ctx, sevenZip, p, plist)
	if err != nil {
		return nil, err
	}
	contents := path.Dir(plist.Path)
	byPath := map[string]imageEntry{}
	for _, e := range entries {
		byPath[e.Path] = e
	}
	exe := func(name string) ([]byte, int64, error) {
		e, ok := byPath[path.Join(contents, "MacOS", name)]
		if !ok {
			return nil, 0, errors.New("not in the image")
		}
		data, err := streamFromImage(ctx, sevenZip, p, imageEntry{Path: e.Path, Size: min(e.Size, maxWhole)})
		return data, e.Size, err
	}
	_, sealed := byPath[path.Join(contents, "_CodeSignature", "CodeResources")]
	return newMacApp(p, contents, data, exe, sealed)
}

// imageEntry is one file or folder 7-Zip lists in a disk image, with its
// size as the image declares it.
type imageEntry struct {
	Path string
	Size int64
}

// listImage lists the image's entries (7z l -slt: a block of "Key = value"
// lines per entry after a line of dashes), with inspect's caps on their
// number and on 7-Zip's output.
func listImage(ctx context.Context, sevenZip, p string) ([]imageEntry, error) {
	cmd := proc.Command(ctx, sevenZip, "l", "-slt", "--", p)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var entries []imageEntry
	s := bufio.NewScanner(io.LimitReader(out, maxListing))
	s.Buffer(nil, maxEntryName+64)
	started := false
	for s.Scan() {
		line := s.Text()
		if line == "----------" {
			started = true
			continue
		}
		k, v, ok := strings.Cut(line, " = ")
		switch {
		case !started || !ok:
		case k == "Path":
			if len(entries) == maxEntries {
				break
			}
			entries = append(entries, imageEntry{Path: filepath.ToSlash(v)})
		case k == "Size" && len(entries) > 0:
			entries[len(entries)-1].Size, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	scanErr := s.Err()
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("7-Zip: %v: %s", err, lastLine(stderr.String()))
	}
	switch {
	case scanErr != nil:
		return nil, fmt.Errorf("7-Zip's listing: %w", scanErr)
	case len(entries) == maxEntries:
		return nil, fmt.Errorf("more than the %d entries inspect reads", maxEntries)
	}
	return entries, nil
}

// streamFromImage reads the first e.Size bytes of the file e.Path of the
// image from 7-Zip's standard output (-spd: the name is taken literally,
// not as a wildcard), and stops 7-Zip there.
func streamFromImage(ctx context.Context, sevenZip, p string, e imageEntry) ([]byte, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := proc.Command(ctx, sevenZip, "x", "-so", "-spd", "--", p, e.Path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	data := make([]byte, max(0, e.Size))
	_, readErr := io.ReadFull(out, data)
	cancel() // what follows is not needed: 7-Zip need not unpack it
	waitErr := cmd.Wait()
	switch {
	case readErr != nil && waitErr != nil && ctx.Err() == nil:
		return nil, fmt.Errorf("7-Zip: %s: %v: %s", e.Path, waitErr, lastLine(stderr.String()))
	case readErr != nil:
		return nil, fmt.Errorf("%s: %s in the image's listing, %w", e.Path, humanBytes(e.Size), archiveErr(readErr))
	}
	return data, nil
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
	data, size, err := readStart(fsys, plists[0], maxPlist)
	switch {
	case err != nil:
		return nil, err
	case size > maxPlist:
		return nil, fmt.Errorf("%s is %s, more than the %s inspect reads of an Info.plist", plists[0], humanBytes(size), humanBytes(maxPlist))
	}
	contents := path.Dir(plists[0])
	exe := func(name string) ([]byte, int64, error) {
		return readStart(fsys, path.Join(contents, "MacOS", name), maxWhole)
	}
	_, err = fs.Stat(fsys, path.Join(contents, "_CodeSignature", "CodeResources"))
	return newMacApp(p, contents, data, exe, err == nil)
}

// newMacApp describes the app whose Contents folder holds plist; exe reads
// the start of a file in Contents/MacOS, up to maxWhole bytes, and its
// whole size.
func newMacApp(p, contents string, plist []byte, exe func(name string) ([]byte, int64, error), sealed bool) (*MacApp, error) {
	fields, err := plistFields(plist)
	if err != nil {
		return nil, err
	}
	a := &MacApp{Path: p, Bundle: path.Base(path.Dir(contents)), Plist: fields, Sealed: sealed}
	for _, f := range fields {
		if f.Key != "CFBundleExecutable" {
			continue
		}
		data, size, err := exe(f.Value)
		if err != nil {
			return nil, fmt.Errorf("executable %s: %w", f.Value, err)
		}
		if size > int64(len(data)) {
			a.ExecutableReadInPart = fmt.Sprintf("the first %s of %s: its architectures come from its header, and its code signature is not read", humanBytes(int64(len(data))), humanBytes(size))
			_, _, arch := headerOfStart(bytes.NewReader(data))
			a.Arches = fatArches(data, arch)
			continue
		}
		a.Arches = machoArches(data)
		a.CodeSignature, _ = macsign.Read(data)
	}
	return a, nil
}

// machoArches lists a Mach-O executable's architectures, thin or fat.
func machoArches(exe []byte) []string {
	if slices, err := bmacho.Slices(bytes.NewReader(exe)); err == nil {
		var out []string
		for _, s := range slices {
			out = append(out, s.CPU)
		}
		return out
	}
	if _, goos, arch := header(bytes.NewReader(exe)); goos == "darwin" {
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
