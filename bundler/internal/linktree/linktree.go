// Package linktree mirrors a folder into another one as hard links, so
// staging an app for a tool (makensis, the notary service's zip) costs no
// copy of its payload.
package linktree

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Mirror makes dst hold what src holds (a folder, or a single file):
// folders are made and files hard-linked, or copied with their executable
// bit where no link can be made (src and dst on different file systems).
func Mirror(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return linkOrCopy(p, target)
	})
}

func linkOrCopy(src, dst string) error {
	if os.Link(src, dst) == nil {
		return nil
	}
	return Copy(src, dst)
}

// Copy copies the file src to dst, which must not exist, with its
// executable bit: a copy of its own where the file is changed in place
// afterwards (signed), which a hard link would change at its source too.
func Copy(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	perm := fs.FileMode(0o644)
	if info.Mode()&0o111 != 0 {
		perm = 0o755
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
