// Package archive unpacks the release archives bundle makes (tar.gz, and
// zip for the zip and app formats: one top folder) as the update client
// installs them, refusing anything that could write outside the folder.
// bundle uses it too, to unpack the two releases a delta is made between,
// so both see the same files with the same modes.
package archive

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

// MaxExpand bounds what an archive may unpack to, against a
// decompression bomb in a file that passed its hash: a signed feed is
// trusted, but a mistake should fail, not fill the disk.
const MaxExpand = 64

// Extract unpacks the release archive at src (tar.gz or zip, as bundle
// makes them: one top folder) into dst, without the top folder. It
// refuses absolute names, names that climb out, entries other than
// files, folders and links, and links whose target is absolute or climbs
// (has a ".." step). Links are made last, so no entry is ever written
// through one.
func Extract(src, format, dst string) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	budget := info.Size()*MaxExpand + 1<<20
	var links []Link
	switch format {
	case "tar.gz":
		err = extractTarGz(src, dst, budget, &links)
	case "zip", "app":
		err = extractZip(src, dst, budget, &links)
	default:
		return fmt.Errorf("cannot unpack a %s file", format)
	}
	if err != nil {
		return err
	}
	return MakeLinks(dst, links)
}

// Link is a symbolic link to make once the files are in place: its path
// below the folder, slash-separated, and its target.
type Link struct{ Rel, Target string }

// MakeLinks makes links below dst, with any folder they need. Made after
// every file, no file is written through one.
func MakeLinks(dst string, links []Link) error {
	for _, l := range links {
		p := filepath.Join(dst, filepath.FromSlash(l.Rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.Symlink(l.Target, p); err != nil {
			return err
		}
	}
	return nil
}

// CheckLink refuses a link that could lead out of the folder.
func CheckLink(rel, target string) error {
	if target == "" || path.IsAbs(target) || strings.Contains(target, "\\") || strings.HasPrefix(target, "/") {
		return fmt.Errorf("link %s -> %s is not relative", rel, target)
	}
	for _, step := range strings.Split(target, "/") {
		if step == ".." {
			return fmt.Errorf("link %s -> %s climbs out of its folder", rel, target)
		}
	}
	return nil
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

func extractTarGz(src, dst string, budget int64, links *[]Link) error {
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
		if err != nil {
			return err
		}
		if rel == "" {
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(filepath.Join(dst, filepath.FromSlash(rel)), 0o755)
		case tar.TypeReg:
			err = writeEntry(dst, rel, os.FileMode(h.Mode).Perm(), tr, &budget)
		case tar.TypeSymlink:
			if err = CheckLink(rel, h.Linkname); err == nil {
				*links = append(*links, Link{rel, h.Linkname})
			}
		default:
			err = fmt.Errorf("archive entry %s is neither a file, a folder nor a link", h.Name)
		}
		if err != nil {
			return err
		}
	}
}

func extractZip(src, dst string, budget int64, links *[]Link) error {
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
		switch {
		case mode.IsDir():
			err = os.MkdirAll(filepath.Join(dst, filepath.FromSlash(rel)), 0o755)
		case mode&os.ModeSymlink != 0:
			var target []byte
			if r, oerr := zf.Open(); oerr != nil {
				err = oerr
			} else {
				target, err = io.ReadAll(io.LimitReader(r, 4096))
				r.Close()
			}
			if err == nil {
				if err = CheckLink(rel, string(target)); err == nil {
					*links = append(*links, Link{rel, string(target)})
				}
			}
		case mode.IsRegular():
			var r io.ReadCloser
			if r, err = zf.Open(); err == nil {
				err = writeEntry(dst, rel, mode.Perm(), r, &budget)
				r.Close()
			}
		default:
			err = fmt.Errorf("archive entry %s is neither a file, a folder nor a link", zf.Name)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeEntry creates the file rel below dst from r, within the budget.
func writeEntry(dst, rel string, perm os.FileMode, r io.Reader, budget *int64) error {
	p := filepath.Join(dst, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm|0o200)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(r, *budget+1))
	*budget -= n
	if err == nil && *budget < 0 {
		err = fmt.Errorf("the archive unpacks to more than %d times its size", MaxExpand)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
