package update

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// maxExpand bounds what an archive may unpack to, against a
// decompression bomb in a file that passed its hash: a signed feed is
// trusted, but a mistake should fail, not fill the disk.
const maxExpand = 64

// extract unpacks the release archive at src (tar.gz or zip, as bundle
// makes them: one top folder) into dst, without the top folder. It
// refuses absolute names, names that climb out, and links that point out.
func extract(src, format, dst string) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	budget := info.Size()*maxExpand + 1<<20
	switch format {
	case "tar.gz":
		return extractTarGz(src, dst, budget)
	case "zip", "app":
		return extractZip(src, dst, budget)
	}
	return fmt.Errorf("cannot unpack a %s file", format)
}

// entryPath is an archive entry's path below the top folder, or "" for
// the top folder itself.
func entryPath(name string) (string, error) {
	clean := path.Clean(strings.TrimPrefix(name, "./"))
	if path.IsAbs(name) || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(name, "\\") {
		return "", fmt.Errorf("archive entry %q leads out of its folder", name)
	}
	_, rest, _ := strings.Cut(clean, "/")
	return rest, nil
}

func extractTarGz(src, dst string, budget int64) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, err := entryPath(h.Name)
		if err != nil || rel == "" {
			if err != nil {
				return err
			}
			continue
		}
		if err := putEntry(dst, rel, h.Typeflag == tar.TypeDir, h.Typeflag == tar.TypeSymlink, h.Linkname, os.FileMode(h.Mode).Perm(), tr, &budget); err != nil {
			return err
		}
	}
}

func extractZip(src, dst string, budget int64) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, zf := range zr.File {
		rel, err := entryPath(zf.Name)
		if err != nil {
			return err
		}
		if rel == "" {
			continue
		}
		mode := zf.Mode()
		var target string
		var r io.ReadCloser
		if mode&os.ModeSymlink != 0 {
			r, err = zf.Open()
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
		if mode.IsRegular() {
			if r, err = zf.Open(); err != nil {
				return err
			}
		}
		err = putEntry(dst, rel, mode.IsDir(), mode&os.ModeSymlink != 0, target, mode.Perm(), r, &budget)
		if r != nil && mode.IsRegular() {
			r.Close()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// putEntry creates one entry below dst.
func putEntry(dst, rel string, dir, link bool, target string, perm os.FileMode, r io.Reader, budget *int64) error {
	p := filepath.Join(dst, filepath.FromSlash(rel))
	if dir {
		return os.MkdirAll(p, 0o755)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if link {
		resolved := path.Join(path.Dir(rel), target)
		if path.IsAbs(target) || resolved == ".." || strings.HasPrefix(resolved, "../") {
			return fmt.Errorf("archive link %s -> %s leads out of its folder", rel, target)
		}
		return os.Symlink(target, p)
	}
	if r == nil {
		return nil // neither a file, a folder nor a link: nothing the app needs
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm|0o200)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(r, *budget+1))
	*budget -= n
	if err == nil && *budget < 0 {
		err = fmt.Errorf("the archive unpacks to more than %d times its size", maxExpand)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
