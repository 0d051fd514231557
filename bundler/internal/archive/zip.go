package archive

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/klauspost/compress/flate"
)

// Zip writes root's tree into w as a zip archive, every entry under prefix,
// all with modification time mtime. Unix modes and symlinks are recorded in
// the external attributes, so unzip restores the executable bit.
func Zip(w io.Writer, root, prefix string, mtime time.Time) error {
	entries, err := walk(root, prefix)
	if err != nil {
		return err
	}
	mtime = clampTime(mtime)
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, level)
	})
	for _, e := range entries {
		if err := writeZipEntry(zw, e, mtime); err != nil {
			return fmt.Errorf("zip: %s: %w", e.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	return nil
}

func writeZipEntry(zw *zip.Writer, e entry, mtime time.Time) error {
	hdr := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: mtime}
	hdr.SetMode(e.mode)
	switch {
	case e.mode&fs.ModeSymlink != 0:
		hdr.Method = zip.Store
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, e.target)
		return err
	case e.mode.IsDir():
		hdr.Name, hdr.Method = e.name+"/", zip.Store
		_, err := zw.CreateHeader(hdr)
		return err
	}
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	f, err := os.Open(e.abs)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
