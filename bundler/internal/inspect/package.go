package inspect

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

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

// Field is one metadata field, in the package's own order.
type Field struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Limits on what inspect reads of one package, besides the archive ones.
const (
	maxHeader     = 64 << 20 // bytes of an rpm header or a deb control member
	maxZstdWindow = 64 << 20 // the largest zstd window inspect decodes with (Arch packages, .deb members)
	maxXzDict     = 64 << 20 // likewise for xz (xz -9 uses 64 MiB)
)

// The package formats, as Package.Format names them: bundle.yaml's names,
// so a report matches artifacts.json (the acceptance test checks each).
// They are inspect's own, as inspect reads any package, not only bundle's.
const (
	debFormat       = "deb"
	rpmFormat       = "rpm"
	apkFormat       = "apk"
	archLinuxFormat = "archlinux"
)

// packageFormat tells a package format by its name and first bytes.
func packageFormat(path string, head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("!<arch>\n")):
		return debFormat
	case bytes.HasPrefix(head, []byte{0xed, 0xab, 0xee, 0xdb}):
		return rpmFormat
	case strings.HasSuffix(path, ".apk") && bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return apkFormat
	case strings.HasSuffix(path, ".pkg.tar.zst") && bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return archLinuxFormat
	}
	return ""
}

// readPackage reads the package in f, size bytes long, as a stream (an
// rpm's header where it lies): nothing of it is held whole.
func readPackage(path, format string, f io.ReaderAt, size int64) (*Package, error) {
	p := &Package{Path: path, Format: format}
	r := io.NewSectionReader(f, 0, size)
	var err error
	switch format {
	case debFormat:
		err = p.readDeb(r)
	case rpmFormat:
		err = p.readRPM(f)
	case apkFormat:
		var z io.Reader
		if z, err = gzip.NewReader(r); err == nil {
			err = p.readPkgInfoTar(z) // gzip reads apk's concatenated streams as one
		}
	case archLinuxFormat:
		var d *zstd.Decoder
		if d, err = newZstd(r); err == nil {
			err = p.readPkgInfoTar(d)
			d.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("inspect %s: %w", format, archiveErr(err))
	}
	sort.Strings(p.Files)
	return p, nil
}

// addFile records a file the package installs, and whether its path is
// unsafe. rooted: the format lists absolute paths (rpm), so only a ".."
// step is unsafe.
func (p *Package) addFile(name string, rooted bool) error {
	if len(p.Files) == maxEntries {
		return fmt.Errorf("more than the %d entries inspect reads", maxEntries)
	}
	if len(name) > maxEntryName {
		return fmt.Errorf("entry %d has a path longer than %d bytes", len(p.Files)+1, maxEntryName)
	}
	clean := strings.TrimPrefix(name, "./")
	if rooted {
		clean = strings.TrimPrefix(clean, "/")
	}
	// A package's links point to absolute paths as a matter of course:
	// only the entry's own path is checked.
	if why := unsafePath(Entry{Path: clean}); why != "" {
		p.Unsafe = append(p.Unsafe, name+": "+why)
	}
	p.Files = append(p.Files, "/"+strings.TrimPrefix(clean, "/"))
	return nil
}

// readDeb reads the ar archive's control and data members as they stream
// past.
func (p *Package) readDeb(r io.Reader) error {
	if _, err := io.CopyN(io.Discard, r, int64(len("!<arch>\n"))); err != nil {
		return err
	}
	var hdr [60]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return errors.New("truncated ar member header")
		}
		name := strings.TrimRight(strings.TrimSpace(string(hdr[:16])), "/")
		size, err := strconv.ParseInt(strings.TrimSpace(string(hdr[48:58])), 10, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("ar member %q has no valid size", name)
		}
		body := io.LimitReader(r, size)
		switch {
		case strings.HasPrefix(name, "control.tar"):
			if size > maxHeader {
				return fmt.Errorf("%s is %s, more than the %s inspect reads", name, humanBytes(size), humanBytes(maxHeader))
			}
			err = eachMember(name, body, func(h *tar.Header, r io.Reader) error {
				if strings.TrimPrefix(h.Name, "./") == "control" {
					p.Fields = append(p.Fields, controlFields(io.LimitReader(r, maxHeader))...)
				}
				return nil
			})
		case strings.HasPrefix(name, "data.tar"):
			err = eachMember(name, body, func(h *tar.Header, _ io.Reader) error {
				if h.Typeflag == tar.TypeDir {
					return nil
				}
				return p.addFile(h.Name, false)
			})
		}
		if err != nil {
			return err
		}
		// The rest of the member and its padding byte, if any.
		if _, err := io.Copy(io.Discard, body); err != nil {
			return err
		}
		if size%2 == 1 {
			if _, err := io.CopyN(io.Discard, r, 1); err != nil && !errors.Is(err, io.EOF) {
				return err
			}
		}
	}
}

// eachMember runs fn for each entry of a deb's compressed tar member.
func eachMember(name string, body io.Reader, fn func(*tar.Header, io.Reader) error) error {
	r, closeFn, err := decompress(name, body)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer closeFn()
	if err := eachTar(r, fn); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// readPkgInfoTar reads the .PKGINFO and file list of an apk or Arch package.
func (p *Package) readPkgInfoTar(r io.Reader) error {
	return eachTar(r, func(h *tar.Header, r io.Reader) error {
		switch {
		case h.Name == ".PKGINFO":
			s := bufio.NewScanner(io.LimitReader(r, maxHeader))
			for s.Scan() {
				if k, v, ok := strings.Cut(s.Text(), " = "); ok && !strings.HasPrefix(k, "#") {
					p.Fields = append(p.Fields, Field{strings.TrimSpace(k), v})
				}
			}
		case strings.HasPrefix(h.Name, "."), h.Typeflag == tar.TypeDir:
		default:
			return p.addFile(h.Name, false)
		}
		return nil
	})
}

// decompress opens a deb member by its name's extension, with the
// decoders' memory capped.
func decompress(name string, body io.Reader) (io.Reader, func(), error) {
	none := func() {}
	switch {
	case strings.HasSuffix(name, ".gz"):
		z, err := gzip.NewReader(body)
		return z, none, err
	case strings.HasSuffix(name, ".xz"):
		b := bufio.NewReaderSize(body, 4096)
		if err := checkXzDict(b); err != nil {
			return nil, none, err
		}
		z, err := xz.NewReader(b)
		return z, none, err
	case strings.HasSuffix(name, ".zst"):
		z, err := newZstd(body)
		if err != nil {
			return nil, none, err
		}
		return z, z.Close, nil
	case strings.HasSuffix(name, ".tar"):
		return body, none, nil
	}
	return nil, none, fmt.Errorf("unknown compression of %s", name)
}

// checkXzDict refuses an xz stream whose first block asks for a larger
// dictionary than maxXzDict, which the xz package would allocate as
// asked. It reads the stream and block headers' fixed fields (the xz
// file format, sections 2.1.1 and 3.1) from what b has buffered, without
// consuming them. Encoders use one filter chain for every block of a
// stream, so the first block stands for the rest.
func checkXzDict(b *bufio.Reader) error {
	head, _ := b.Peek(12 + 1024)
	if len(head) < 14 || !bytes.HasPrefix(head, []byte("\xfd7zXZ\x00")) {
		return nil // not xz: the decoder says so
	}
	block := head[12:]
	size := (int(block[0]) + 1) * 4
	if block[0] == 0 || len(block) < size {
		return nil // no block, or a header larger than any encoder writes
	}
	flags, at := block[1], 2
	varint := func() uint64 {
		v, n := binary.Uvarint(block[at:size])
		if n <= 0 {
			at = size
			return 0
		}
		at += n
		return v
	}
	if flags&0x40 != 0 {
		varint() // compressed size
	}
	if flags&0x80 != 0 {
		varint() // uncompressed size
	}
	for range int(flags&3) + 1 {
		id, props := varint(), varint()
		if at+int(props) > size {
			return nil
		}
		if id == 0x21 && props == 1 { // LZMA2: one byte that encodes the dictionary size
			dict, err := lzma.DecodeDictCap(block[at])
			if err != nil {
				return err
			}
			if dict > maxXzDict {
				return fmt.Errorf("the xz stream asks for a %s dictionary, more than the %s inspect decodes with", humanBytes(dict), humanBytes(maxXzDict))
			}
		}
		at += int(props)
	}
	return nil
}

// newZstd is a zstd decoder that refuses a frame whose window is larger
// than inspect's cap instead of allocating it.
func newZstd(r io.Reader) (*zstd.Decoder, error) {
	return zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxZstdWindow), zstd.WithDecoderMaxMemory(maxZstdWindow))
}

// eachTar runs fn on each entry of a tar stream, counting what it reads
// through against the archive caps.
func eachTar(r io.Reader, fn func(*tar.Header, io.Reader) error) error {
	capped := &capReader{r: r, left: maxTotalSize}
	tr := tar.NewReader(capped)
	for n := 0; ; n++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if n == maxEntries {
			return fmt.Errorf("more than the %d entries inspect reads", maxEntries)
		}
		if err := fn(h, tr); err != nil {
			return err
		}
	}
}

// capReader fails once more than left bytes were read through it.
type capReader struct {
	r    io.Reader
	left int64
}

var errTooBig = fmt.Errorf("the entries add up to more than the %s inspect reads", humanBytes(maxTotalSize))

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errTooBig
	}
	n, err := c.r.Read(p[:min(int64(len(p)), c.left)])
	c.left -= int64(n)
	return n, err
}

// controlFields parses a Debian control file; continuation lines join the
// field before them.
func controlFields(r io.Reader) []Field {
	var out []Field
	s := bufio.NewScanner(r)
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, " ") && len(out) > 0 {
			out[len(out)-1].Value += "\n" + strings.TrimPrefix(line, " ")
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			out = append(out, Field{k, strings.TrimSpace(v)})
		}
	}
	return out
}
