// Package artifact records what a build made: it writes each artifact to a
// temporary name and renames it into dist only when complete, and writes
// checksums.txt and artifacts.json, the files users' scripts read.
package artifact

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// TempSuffix ends the name of every file being written into dist. A file
// with it is incomplete; a file without it is whole.
const TempSuffix = ".bundle-tmp"

// Artifact is one file in dist, as listed in artifacts.json.
type Artifact struct {
	Path   string `json:"path"` // relative to dist, slash-separated
	OS     string `json:"os"`
	Arch   string `json:"arch"`
	Format string `json:"format"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// WriteFile creates dist/name through a temporary file: fill writes the
// content, and only when it returns nil is the file synced and renamed to
// its final name. On any error nothing named name is left behind. It
// returns the size and SHA-256 of what was written.
func WriteFile(dist, name string, fill func(io.Writer) error) (size int64, sum string, err error) {
	tmp, err := os.CreateTemp(dist, tempPattern(name))
	if err != nil {
		return 0, "", err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(tmp, h)}
	if err = fill(cw); err != nil {
		return 0, "", err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return 0, "", err
	}
	if err = tmp.Sync(); err != nil {
		return 0, "", err
	}
	if err = tmp.Close(); err != nil {
		return 0, "", err
	}
	if err = os.Rename(tmp.Name(), filepath.Join(dist, name)); err != nil {
		return 0, "", err
	}
	return cw.n, hex.EncodeToString(h.Sum(nil)), nil
}

// MakeFile is WriteFile for an artifact that a program makes at a path
// (makensis, wixl) or that is changed in place after it is written (signed,
// stapled): make gets the absolute path of a new, empty file in dist
// (tools run in folders of their own), which it writes or replaces. Only when make returns nil is the file hashed,
// synced and renamed to name; on any error nothing named name is left.
func MakeFile(dist, name string, make func(dest string) error) (size int64, sum string, err error) {
	tmp, err := os.CreateTemp(dist, tempPattern(name))
	if err != nil {
		return 0, "", err
	}
	path, err := filepath.Abs(tmp.Name())
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return 0, "", err
	}
	defer func() {
		if err != nil {
			os.Remove(path)
		}
	}()
	if err = tmp.Close(); err != nil {
		return 0, "", err
	}
	if err = make(path); err != nil {
		return 0, "", err
	}
	if info, err := os.Lstat(path); err != nil || !info.Mode().IsRegular() {
		return 0, "", fmt.Errorf("%s was not made as a regular file", name)
	}
	if err = os.Chmod(path, 0o644); err != nil {
		return 0, "", err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, "", err
	}
	h := sha256.New()
	size, err = io.Copy(h, f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, "", err
	}
	if err = os.Rename(path, filepath.Join(dist, name)); err != nil {
		return 0, "", err
	}
	return size, hex.EncodeToString(h.Sum(nil)), nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// SHA256File returns the hex SHA-256 of dir/name, a regular file: a link
// or anything else there is an error, so a hash never reads outside dir.
func SHA256File(dir, name string) (string, error) {
	_, sum, err := HashFile(dir, name)
	return sum, err
}

// HashFile returns the size and hex SHA-256 of dir/name, read as
// SHA256File reads it.
func HashFile(dir, name string) (size int64, sum string, err error) {
	f, err := openRegular(dir, name)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	if size, err = io.Copy(h, f); err != nil {
		return 0, "", err
	}
	return size, hex.EncodeToString(h.Sum(nil)), nil
}

// Open opens the file name in dir for reading as openRegular does: a
// regular file only, never through a link.
func Open(dir, name string) (*os.File, error) { return openRegular(dir, name) }

// openRegular opens dir/name for reading only when it is a regular file,
// never following a link: name is checked before it is opened, opened
// without following a link where the OS can, and checked again after.
func openRegular(dir, name string) (*os.File, error) {
	path := filepath.Join(dir, name)
	before, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !before.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return nil, err
	}
	if after, err := f.Stat(); err != nil || !os.SameFile(before, after) {
		f.Close()
		return nil, fmt.Errorf("%s changed while it was opened", path)
	}
	return f, nil
}

// IsTemp reports whether a file name in dist is an unfinished write.
func IsTemp(name string) bool { return strings.HasSuffix(name, TempSuffix) }

// tempPattern is os.CreateTemp's pattern for the file being written as
// name: hidden, and marked unfinished.
func tempPattern(name string) string { return "." + name + ".*" + TempSuffix }

// RemoveUnfinished removes the unfinished writes of name in dist, which
// WriteFile and MakeFile leave when they cannot finish (the process ends
// first).
func RemoveUnfinished(dist, name string) {
	entries, _ := os.ReadDir(dist)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "."+name+".") && IsTemp(e.Name()) {
			os.Remove(filepath.Join(dist, e.Name()))
		}
	}
}

// HumanSize formats a byte count for people: "2.1 MB", "640 kB", "12 B".
func HumanSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

// ReadSmall reads the file name in dir, a regular file of at most limit
// bytes (a feed, a signature), as openRegular opens it.
func ReadSmall(dir, name string, limit int64) ([]byte, error) {
	if name != filepath.Base(name) || name == "." || name == ".." {
		return nil, fmt.Errorf("%q is not a file name", name)
	}
	f, err := openRegular(dir, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is over %d bytes", filepath.Join(dir, name), limit)
	}
	return data, nil
}
