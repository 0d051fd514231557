package inspect

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/bundlekit/bundle/bundler/internal/formats/linuxpkg"
)

// Package describes a Linux package: its metadata and the files it
// installs.
type Package struct {
	Path   string   `json:"path"`
	Format string   `json:"format"` // deb, rpm, apk, archlinux
	Fields []Field  `json:"fields"`
	Files  []string `json:"files"`
}

// Field is one metadata field, in the package's own order.
type Field struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// packageFormat tells a package format by its name and first bytes.
func packageFormat(path string, data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("!<arch>\n")):
		return linuxpkg.Deb.Name()
	case bytes.HasPrefix(data, []byte{0xed, 0xab, 0xee, 0xdb}):
		return linuxpkg.RPM.Name()
	case strings.HasSuffix(path, ".apk") && bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		return linuxpkg.APK.Name()
	case strings.HasSuffix(path, ".pkg.tar.zst") && bytes.HasPrefix(data, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return linuxpkg.Arch.Name()
	}
	return ""
}

func readPackage(path, format string, data []byte) (*Package, error) {
	p := &Package{Path: path, Format: format}
	var err error
	switch format {
	case linuxpkg.Deb.Name():
		err = p.readDeb(data)
	case linuxpkg.RPM.Name():
		err = p.readRPM(data)
	case linuxpkg.APK.Name():
		var r io.Reader
		if r, err = gzip.NewReader(bytes.NewReader(data)); err == nil {
			err = p.readPkgInfoTar(r) // gzip reads apk's concatenated streams as one
		}
	case linuxpkg.Arch.Name():
		var d *zstd.Decoder
		if d, err = zstd.NewReader(bytes.NewReader(data)); err == nil {
			err = p.readPkgInfoTar(d)
			d.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("inspect %s: %w", format, err)
	}
	sort.Strings(p.Files)
	return p, nil
}

// readDeb reads the ar archive's control and data members.
func (p *Package) readDeb(data []byte) error {
	rest := data[len("!<arch>\n"):]
	for len(rest) >= 60 {
		hdr := rest[:60]
		name := strings.TrimRight(strings.TrimSpace(string(hdr[:16])), "/")
		var size int
		if _, err := fmt.Sscan(strings.TrimSpace(string(hdr[48:58])), &size); err != nil || 60+size > len(rest) {
			return errors.New("truncated ar member")
		}
		body := rest[60 : 60+size]
		rest = rest[60+size+size%2:]
		switch {
		case strings.HasPrefix(name, "control.tar"):
			r, err := decompress(name, body)
			if err != nil {
				return err
			}
			if err := eachTar(r, func(h *tar.Header, r io.Reader) error {
				if strings.TrimPrefix(h.Name, "./") == "control" {
					p.Fields = append(p.Fields, controlFields(r)...)
				}
				return nil
			}); err != nil {
				return err
			}
		case strings.HasPrefix(name, "data.tar"):
			r, err := decompress(name, body)
			if err != nil {
				return err
			}
			if err := eachTar(r, func(h *tar.Header, _ io.Reader) error {
				if h.Typeflag != tar.TypeDir {
					p.Files = append(p.Files, "/"+strings.TrimPrefix(h.Name, "./"))
				}
				return nil
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// readPkgInfoTar reads the .PKGINFO and file list of an apk or Arch package.
func (p *Package) readPkgInfoTar(r io.Reader) error {
	return eachTar(r, func(h *tar.Header, r io.Reader) error {
		switch {
		case h.Name == ".PKGINFO":
			s := bufio.NewScanner(r)
			for s.Scan() {
				if k, v, ok := strings.Cut(s.Text(), " = "); ok && !strings.HasPrefix(k, "#") {
					p.Fields = append(p.Fields, Field{strings.TrimSpace(k), v})
				}
			}
		case strings.HasPrefix(h.Name, "."), h.Typeflag == tar.TypeDir:
		default:
			p.Files = append(p.Files, "/"+h.Name)
		}
		return nil
	})
}

func decompress(name string, body []byte) (io.Reader, error) {
	switch {
	case strings.HasSuffix(name, ".gz"):
		return gzip.NewReader(bytes.NewReader(body))
	case strings.HasSuffix(name, ".xz"):
		return xz.NewReader(bytes.NewReader(body))
	case strings.HasSuffix(name, ".zst"):
		return zstd.NewReader(bytes.NewReader(body))
	case strings.HasSuffix(name, ".tar"):
		return bytes.NewReader(body), nil
	}
	return nil, fmt.Errorf("unknown compression of %s", name)
}

func eachTar(r io.Reader, fn func(*tar.Header, io.Reader) error) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(h, tr); err != nil {
			return err
		}
	}
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
