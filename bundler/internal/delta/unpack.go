package delta

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Unpack unpacks a release archive (tar.gz, or zip for zip and app, as
// bundle makes them: one top folder) into dst without its top folder,
// which is what the client makes of it too: the two versions a delta is
// made between. Names that lead out of the folder, links that could, and
// entries other than files, folders and links are refused: the previous
// release's dist is input like any other.
func Unpack(src, format, dst string) error {
	var links [][2]string
	add := func(name string, mode fs.FileMode, linkTarget string, open func() (io.ReadCloser, error)) error {
		rel, err := below(name)
		if err != nil || rel == "" {
			return err
		}
		p := filepath.Join(dst, filepath.FromSlash(rel))
		switch {
		case mode.IsDir():
			return os.MkdirAll(p, 0o755)
		case mode&fs.ModeSymlink != 0:
			if linkTarget == "" || path.IsAbs(linkTarget) || strings.Contains(linkTarget, "\\") || strings.Contains("/"+linkTarget+"/", "/../") {
				return fmt.Errorf("%s: link %s -> %s leads out of its folder", filepath.Base(src), name, linkTarget)
			}
			links = append(links, [2]string{p, linkTarget})
			return nil
		case !mode.IsRegular():
			return fmt.Errorf("%s: %s is neither a file, a folder nor a link", filepath.Base(src), name)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		r, err := open()
		if err != nil {
			return err
		}
		defer r.Close()
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode.Perm()|0o200)
		if err != nil {
			return err
		}
		_, err = io.Copy(f, r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(p, mode.Perm())
		}
		return err
	}
	var err error
	switch format {
	case "tar.gz":
		err = unpackTarGz(src, add)
	case "zip", "app":
		err = unpackZip(src, add)
	default:
		return fmt.Errorf("delta: cannot unpack a %s archive", format)
	}
	if err != nil {
		return err
	}
	for _, l := range links {
		if err := os.MkdirAll(filepath.Dir(l[0]), 0o755); err != nil {
			return err
		}
		if err := os.Symlink(l[1], l[0]); err != nil {
			return err
		}
	}
	return nil
}

type addFunc func(name string, mode fs.FileMode, link string, open func() (io.ReadCloser, error)) error

func unpackTarGz(src string, add addFunc) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(src), err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(src), err)
		}
		if err := add(h.Name, h.FileInfo().Mode(), h.Linkname, func() (io.ReadCloser, error) { return io.NopCloser(tr), nil }); err != nil {
			return err
		}
	}
}

func unpackZip(src string, add addFunc) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(src), err)
	}
	defer zr.Close()
	for _, zf := range zr.File {
		mode := zf.Mode()
		var target string
		if mode&fs.ModeSymlink != 0 {
			r, err := zf.Open()
			if err != nil {
				return err
			}
			b, err := io.ReadAll(io.LimitReader(r, 4096))
			r.Close()
			if err != nil {
				return err
			}
			target = string(b)
		}
		if err := add(zf.Name, mode, target, zf.Open); err != nil {
			return err
		}
	}
	return nil
}

// below is an archive entry's path below its top folder ("" for the top
// folder itself), refusing one that leads out.
func below(name string) (string, error) {
	clean := path.Clean(strings.TrimPrefix(name, "./"))
	if path.IsAbs(name) || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(name, "\\") {
		return "", fmt.Errorf("archive entry %q leads out of its folder", name)
	}
	_, rest, _ := strings.Cut(clean, "/")
	return rest, nil
}
