// Package archive writes deterministic tar.gz and zip archives of a
// directory: entries sorted by path, one fixed modification time, owner
// root (uid/gid 0, no user names), and modes normalised to 0755 for
// directories and executables and 0644 for everything else. Two runs over
// the same tree with the same time give byte-identical archives.
//
// archive/tar and archive/zip do the encoding, with the deflate of
// github.com/klauspost/compress; this package only fixes every header field
// that would otherwise leak the build host.
package archive

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"
)

// level is the deflate level of both formats. klauspost/compress's deflate
// at 7 packs a 45 MB Go executable 6 times faster than compress/gzip's
// BestCompression did (1.7 s against 10.4 s) into an archive 1.7% larger,
// and faster than compress/flate's default level into one 1.1% larger; on
// a release build the compression was most of the time that is bundle's
// own. Its output, like any deflate's, depends on the library's version,
// which go.sum pins, so a build stays byte-reproducible.
const level = 7

// entry is one file, directory or symlink to archive.
type entry struct {
	name   string // slash-separated path inside the archive
	abs    string // path on disk
	mode   fs.FileMode
	target string // symlink target
}

// walk lists root's tree in sorted order under prefix. Symlinks are kept as
// links (a .app bundle relies on them); their targets are not followed.
func walk(root, prefix string) ([]entry, error) {
	var entries []entry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		name := path.Join(prefix, filepath.ToSlash(rel))
		if rel == "." {
			if prefix == "" {
				return nil
			}
			name = prefix
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		e := entry{name: name, abs: p, mode: normalMode(info.Mode())}
		if info.Mode()&fs.ModeSymlink != 0 {
			if e.target, err = os.Readlink(p); err != nil {
				return err
			}
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	return entries, nil
}

// normalMode keeps only the file type and whether anyone may execute it.
func normalMode(m fs.FileMode) fs.FileMode {
	switch {
	case m&fs.ModeSymlink != 0:
		return fs.ModeSymlink | 0o777
	case m.IsDir():
		return fs.ModeDir | 0o755
	case m&0o111 != 0:
		return 0o755
	}
	return 0o644
}

// zipEpoch is the earliest time a zip's MS-DOS date field can hold.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

func clampTime(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Second)
	if t.Before(zipEpoch) {
		return zipEpoch
	}
	return t
}
