package inspect

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

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

// Limits on what inspect reads from one archive, so a hostile one costs
// bounded time and memory: bundle's own archives stay far below them.
const (
	maxEntries   = 100_000
	maxEntryName = 4096    // bytes in one entry's path or link target
	maxTotalSize = 4 << 30 // bytes of every entry together, as the headers declare them
)

// readTarGz streams a tar.gz: only the executable's bytes are read; the
// other entries' contents are decompressed past without being kept.
func readTarGz(p string, r io.Reader) (*Archive, error) {
	a := &Archive{Path: p, Format: "tar.gz"}
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("tar.gz: %w", archiveErr(err))
	}
	var pick exePicker
	var total int64
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("tar.gz: after %d entries: %w", len(a.Entries), archiveErr(err))
		}
		e := Entry{Path: h.Name, Size: h.Size, Mode: fmt.Sprintf("%04o", h.Mode&0o7777), Target: h.Linkname}
		switch h.Typeflag {
		case tar.TypeReg:
			e.Type = "file"
		case tar.TypeDir:
			e.Type = "dir"
		case tar.TypeSymlink:
			e.Type = "symlink"
		case tar.TypeLink:
			e.Type = "hardlink"
		default:
			e.Type = "other"
		}
		if e, err = a.add(e, &total); err != nil {
			return nil, fmt.Errorf("tar.gz: %w", err)
		}
		if pick.wants(a.Folder, e, fs.FileMode(h.Mode).Perm()) {
			if err := pick.read(e, tr); err != nil {
				return nil, fmt.Errorf("tar.gz: %q: %w", e.Path, archiveErr(err))
			}
		}
	}
	// The tar ends before the gzip stream does; reading the rest checks
	// the gzip trailer, so a cut or corrupt archive is not reported whole.
	if _, err := io.CopyN(io.Discard, gz, 1<<20); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("tar.gz: %w", archiveErr(err))
	}
	a.Executable = pick.exe
	return a, nil
}

// readZip reads a zip's central directory and the executable's bytes. A
// zip that holds a .app bundle is read as a macOS app instead.
func readZip(p string, f io.ReaderAt, size int64) (*Archive, *MacApp, error) {
	n, err := zipEntryCount(f, size)
	if err != nil {
		return nil, nil, fmt.Errorf("zip: %w", err)
	}
	if n > maxEntries {
		return nil, nil, fmt.Errorf("zip: %d entries, more than the %d inspect reads", n, maxEntries)
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return nil, nil, fmt.Errorf("zip: %w", err)
	}
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, ".app/Contents/Info.plist") {
			app, err := appFromFS(p, zr)
			return nil, app, err
		}
	}
	a := &Archive{Path: p, Format: "zip"}
	var pick exePicker
	var total int64
	for _, zf := range zr.File {
		mode := zf.Mode()
		e := Entry{Path: zf.Name, Size: int64(zf.UncompressedSize64), Mode: fmt.Sprintf("%04o", mode.Perm()), Type: "file"}
		if zf.UncompressedSize64 > maxTotalSize {
			e.Size = maxTotalSize + 1 // what add refuses, without overflowing int64
		}
		switch {
		case mode.IsDir():
			e.Type = "dir"
		case mode&fs.ModeSymlink != 0:
			e.Type = "symlink"
		case !mode.IsRegular():
			e.Type = "other"
		}
		if e.Type == "symlink" {
			// A zip keeps a link's target as the entry's content.
			if e.Target, err = zipText(zf); err != nil {
				return nil, nil, fmt.Errorf("zip: %q: %w", zf.Name, err)
			}
		}
		if e, err = a.add(e, &total); err != nil {
			return nil, nil, fmt.Errorf("zip: %w", err)
		}
		if pick.wants(a.Folder, e, mode.Perm()) {
			rc, err := zf.Open()
			if err != nil {
				return nil, nil, fmt.Errorf("zip: %q: %w", zf.Name, err)
			}
			err = pick.read(e, rc)
			rc.Close()
			if err != nil {
				return nil, nil, fmt.Errorf("zip: %q: %w", zf.Name, archiveErr(err))
			}
		}
	}
	a.Executable = pick.exe
	return a, nil, nil
}

// add checks e against the limits and the paths it may write to, then
// records it, with Unsafe filled in. The first entry names the top folder;
// a later entry outside it means there is none.
func (a *Archive) add(e Entry, total *int64) (Entry, error) {
	if len(a.Entries) == maxEntries {
		return e, fmt.Errorf("more than the %d entries inspect reads", maxEntries)
	}
	if len(e.Path) > maxEntryName || len(e.Target) > maxEntryName {
		return e, fmt.Errorf("entry %d has a path or link target longer than %d bytes", len(a.Entries)+1, maxEntryName)
	}
	if e.Size < 0 || e.Size > maxTotalSize-*total {
		return e, fmt.Errorf("%q: the entries add up to more than the %d GiB inspect reads", e.Path, maxTotalSize>>30)
	}
	*total += e.Size
	e.Unsafe = unsafePath(e)
	switch top, _, inFolder := strings.Cut(e.Path, "/"); {
	case len(a.Entries) == 0 && e.Unsafe == "" && inFolder && top != "" && top != "." && top != "..":
		a.Folder = top + "/"
	case !strings.HasPrefix(e.Path, a.Folder):
		a.Folder = ""
	}
	a.Entries = append(a.Entries, e)
	return e, nil
}

// unsafePath says why unpacking e could write outside the folder it is
// unpacked into: an absolute path, a ".." step, or a link that points out.
func unsafePath(e Entry) string {
	name := strings.ReplaceAll(e.Path, `\`, "/")
	switch {
	case name == "":
		return "empty path"
	case path.IsAbs(name) || (len(name) >= 2 && name[1] == ':'):
		return "absolute path"
	case slices.Contains(strings.Split(name, "/"), ".."):
		return `path has a ".." step` // bundle never writes one; some unpackers follow it out
	}
	target := strings.ReplaceAll(e.Target, `\`, "/")
	switch {
	case e.Type != "symlink" && e.Type != "hardlink":
		return ""
	case path.IsAbs(target) || (len(target) >= 2 && target[1] == ':'):
		return "link to an absolute path"
	case e.Type == "symlink" && escapes(path.Join(path.Dir(name), target)):
		return "link points outside the folder"
	case e.Type == "hardlink" && escapes(target):
		return "link points outside the folder"
	}
	return ""
}

// escapes reports whether a relative slash path climbs above its start.
func escapes(name string) bool {
	depth := 0
	for _, part := range strings.Split(name, "/") {
		switch part {
		case "", ".":
		case "..":
			if depth--; depth < 0 {
				return true
			}
		default:
			depth++
		}
	}
	return false
}

// exePicker keeps the archive's executable: a file directly in the top
// folder that starts like an executable, preferring the one named after
// the binary (the folder is <binary>_<version>_<os>_<arch>) over any
// other .exe or file with an execute bit.
type exePicker struct {
	exe  *Executable
	rank int // of exe
	next int // of the entry wants last looked at
}

// wants reports whether the entry could be a better pick than the one so far.
func (x *exePicker) wants(folder string, e Entry, perm fs.FileMode) bool {
	if e.Type != "file" || e.Unsafe != "" || folder == "" {
		return false
	}
	dir, base := path.Split(e.Path)
	x.next = 0
	if stem := strings.Split(strings.TrimSuffix(folder, "/"), "_"); dir == folder && len(stem) >= 4 {
		if binary := strings.Join(stem[:len(stem)-3], "_"); base == binary || base == binary+".exe" {
			x.next = 2
		}
	}
	if x.next == 0 && dir == folder && (strings.HasSuffix(base, ".exe") || perm&0o111 != 0) {
		x.next = 1
	}
	return x.next > x.rank
}

// read reads the entry wants last accepted, and keeps it when it is an
// executable; only its first bytes are read when it does not start like
// one. An executable larger than maxWhole is read in part.
func (x *exePicker) read(e Entry, r io.Reader) error {
	head := make([]byte, 4)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	if !executableMagic(head[:n]) {
		return nil
	}
	exe, err := readExecutable(e.Path, head, r, e.Size)
	if err != nil {
		if exitcode.Of(err) == exitcode.Usage {
			return nil // starts like one, but is not an executable inspect can read
		}
		return err
	}
	x.exe, x.rank = exe, x.next
	return nil
}

// executableMagic tells the first bytes of ELF, PE and Mach-O files.
func executableMagic(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	switch binary.LittleEndian.Uint32(b) {
	case 0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xbebafeca: // Mach-O thin, either byte order; fat
		return true
	}
	return bytes.HasPrefix(b, []byte("\x7fELF")) || bytes.HasPrefix(b, []byte("MZ"))
}

// zipText reads a short entry, such as a link's target.
func zipText(zf *zip.File) (string, error) {
	rc, err := zf.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxEntryName+1))
	return string(b), err
}

// zipEntryCount reads the entry count from the end of central directory
// record (and its zip64 form), so a hostile count is refused before
// archive/zip makes a File for each entry. Hand-written because
// archive/zip does not expose the count before reading every entry.
func zipEntryCount(r io.ReaderAt, size int64) (uint64, error) {
	const eocdLen, maxComment = 22, 65535
	tail := min(size, eocdLen+maxComment)
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf, size-tail); err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if i < 0 || len(buf)-i < eocdLen {
		return 0, zip.ErrFormat
	}
	n := uint64(binary.LittleEndian.Uint16(buf[i+10:]))
	if n != 0xffff || i < 20 || !bytes.HasPrefix(buf[i-20:], []byte("PK\x06\x07")) {
		return n, nil
	}
	// zip64: the locator before the record points at the zip64 record.
	at := int64(binary.LittleEndian.Uint64(buf[i-20+8:]))
	rec := make([]byte, 40)
	if at < 0 || at > size-40 {
		return 0, zip.ErrFormat
	}
	if _, err := r.ReadAt(rec, at); err != nil || !bytes.HasPrefix(rec, []byte("PK\x06\x06")) {
		return 0, zip.ErrFormat
	}
	return binary.LittleEndian.Uint64(rec[32:]), nil
}

// archiveErr says "cut short" for the errors a truncated archive gives.
func archiveErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the archive is cut short (truncated)")
	}
	return err
}
