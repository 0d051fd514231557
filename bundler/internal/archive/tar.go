package archive

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/klauspost/compress/gzip"
)

// TarGz writes root's tree into w as a gzip-compressed tar, every entry
// under prefix (no prefix when it is ""), all with modification time mtime.
func TarGz(w io.Writer, root, prefix string, mtime time.Time) error {
	entries, err := walk(root, prefix)
	if err != nil {
		return err
	}
	mtime = clampTime(mtime)
	gz, err := gzip.NewWriterLevel(w, level)
	if err != nil {
		return fmt.Errorf("tar.gz: %w", err)
	}
	gz.ModTime = mtime // the gzip header's own time; no file name is stored
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		if err := writeTarEntry(tw, e, mtime); err != nil {
			return fmt.Errorf("tar.gz: %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("tar.gz: %w", err)
	}
	if err := gz.Close(); err != nil {
		return fmt.Errorf("tar.gz: %w", err)
	}
	return nil
}

func writeTarEntry(tw *tar.Writer, e entry, mtime time.Time) error {
	hdr := &tar.Header{
		Name:    e.name,
		Mode:    int64(e.mode.Perm()),
		ModTime: mtime,
	}
	switch {
	case e.mode&fs.ModeSymlink != 0:
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, e.target
	case e.mode.IsDir():
		hdr.Typeflag, hdr.Name = tar.TypeDir, e.name+"/"
	default:
		info, err := os.Stat(e.abs)
		if err != nil {
			return err
		}
		hdr.Typeflag, hdr.Size = tar.TypeReg, info.Size()
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeReg {
		return nil
	}
	f, err := os.Open(e.abs)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}
