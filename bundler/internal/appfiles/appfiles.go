// Package appfiles copies the files: of bundle.yaml into the staged app
// exactly as config checked them. The project is read through an os.Root,
// so no link leads out of it; every file is opened without blocking and
// checked again once open, so a FIFO, a device or a link swapped in while
// the build compiled is refused instead of followed or waited on; and the
// folders and files bundle or a version control system keep there are
// never copied.
package appfiles

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// Excluded says why a file or folder of this name is never packaged, ""
// when it may be: a version control system's folder (.git holds a CI
// token when a checkout persisted one), or one of bundle's own files in a
// dist. A dist folder itself is told by what it holds (Options.Skip,
// isDist).
func Excluded(name string) string {
	switch {
	case name == ".git" || name == ".hg" || name == ".svn" || name == ".bzr":
		return "version control"
	case name == artifact.JournalName || name == artifact.LockName || artifact.IsTemp(name):
		return "bundle's unfinished output"
	}
	return ""
}

// Options are what Copy needs besides the source and destination.
type Options struct {
	// Field names the entry in bundle.yaml for messages, as files[0].src.
	Field string
	// Skip lists folders never entered (dist, bundle's work folder),
	// compared as files, not paths.
	Skip []fs.FileInfo
	// LeftOut is called once for each file or folder left out, with its
	// slash-separated path in the project and why.
	LeftOut func(rel, why string)
}

// Copy copies src, a path relative to the project folder, to dst, a path
// that does not exist yet. A folder is copied with what it holds; a link
// inside the project is copied as the file it leads to, since its target
// would not exist on the user's machine.
func Copy(ctx context.Context, project, src, dst string, o Options) error {
	root, err := os.OpenRoot(project)
	if err != nil {
		return fmt.Errorf("%s: %w", o.Field, err)
	}
	defer root.Close()
	c := copier{ctx: ctx, project: project, root: root, o: o}
	return c.copy(path.Clean(filepath.ToSlash(src)), dst, nil)
}

type copier struct {
	ctx     context.Context
	project string
	root    *os.Root
	o       Options
}

// copy copies rel, open lists the folders being copied (for link loops).
func (c *copier) copy(rel, dst string, open []fs.FileInfo) error {
	if err := c.ctx.Err(); err != nil {
		return err
	}
	f, info, err := c.open(rel)
	if err != nil {
		return err
	}
	defer f.Close()
	switch {
	case info.Mode().IsRegular():
		return c.copyFile(rel, f, info, dst)
	case !info.IsDir():
		return c.refuse(rel, "is %s, not a regular file; bundle ships files and folders only, so remove it", TypeName(info.Mode()))
	}
	for _, o := range open {
		if os.SameFile(o, info) {
			return c.refuse(rel, "is a symlink loop (it leads back to a folder that holds it); remove the link")
		}
	}
	for _, s := range c.o.Skip {
		if os.SameFile(s, info) {
			c.o.LeftOut(rel, "bundle's output")
			return nil
		}
	}
	entries, err := f.ReadDir(-1)
	if err != nil {
		return c.refuse(rel, "cannot be read (%s)", reason(err))
	}
	if isDist(entries) {
		c.o.LeftOut(rel, "bundle's output")
		return nil
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	open = append(open[:len(open):len(open)], info)
	for _, e := range entries {
		child := path.Join(rel, e.Name())
		if why := Excluded(e.Name()); why != "" {
			c.o.LeftOut(child, why)
			continue
		}
		if err := c.copy(child, filepath.Join(dst, e.Name()), open); err != nil {
			return err
		}
	}
	return nil
}

// open opens rel in the project without blocking on a FIFO, and returns
// what the open file is: the answer for what is copied, whatever rel was
// when config checked it.
func (c *copier) open(rel string) (*os.File, fs.FileInfo, error) {
	if before, err := c.root.Lstat(rel); err == nil && before.Mode()&fs.ModeType&^(fs.ModeDir|fs.ModeSymlink) != 0 {
		// A FIFO or device is refused before it is opened at all.
		return nil, nil, c.refuse(rel, "is %s, not a regular file; bundle ships files and folders only, so remove it", TypeName(before.Mode()))
	}
	f, err := c.root.OpenFile(rel, os.O_RDONLY|oNonBlock, 0)
	if err != nil {
		if c.leadsOutside(rel) {
			return nil, nil, c.refuse(rel, "is a symlink that leads outside the project; copy the file into the project instead")
		}
		return nil, nil, c.refuse(rel, "cannot be read (%s)", reason(err))
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, c.refuse(rel, "cannot be read (%s)", reason(err))
	}
	return f, info, nil
}

// copyFile copies the open regular file f. Its mode is the open file's
// own: only whether it is executable carries over (archives set the rest).
// A file only its owner may read that has other names (hard links) may be
// another folder's secret linked in, and is refused.
func (c *copier) copyFile(rel string, f *os.File, info fs.FileInfo, dst string) error {
	if info.Mode().Perm()&0o044 == 0 && links(info) > 1 {
		return c.refuse(rel, "is a hard link to a file only its owner may read (mode %04o, %d names); copy the file into the project if it is meant to ship", info.Mode().Perm(), links(info))
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
	if _, err := io.Copy(out, f); err != nil {
		out.Close()
		return fmt.Errorf("%s: copy %s: %w", c.o.Field, rel, err)
	}
	if err := out.Close(); err != nil {
		return err
	}
	if info.Mode().Perm()&0o044 == 0 && !c.stillAlone(rel, f, info) {
		os.Remove(dst)
		return c.refuse(rel, "changed while it was copied (a hard link to a file only its owner may read came and went); copy the file into the project if it is meant to ship")
	}
	return nil
}

// stillAlone checks a private file again once it is copied. A hard link
// swapped away between its open and its first check (its count back to
// one) shows now: as a count above one, or as another file under its name.
// Each check is made twice around the name's, so one swap between them
// cannot hide it.
func (c *copier) stillAlone(rel string, f *os.File, opened fs.FileInfo) bool {
	before, err := f.Stat()
	if err != nil || links(before) > 1 {
		return false
	}
	named, err := c.root.Stat(rel)
	if err != nil || !os.SameFile(named, opened) {
		return false
	}
	after, err := f.Stat()
	return err == nil && links(after) == 1
}

// isDist reports whether a folder holding entries is a dist a bundle build
// wrote: its journal, or both its manifest and checksum file.
func isDist(entries []fs.DirEntry) bool {
	has := map[string]bool{}
	for _, e := range entries {
		has[e.Name()] = true
	}
	return has[artifact.JournalName] || has[artifact.ManifestName] && has[artifact.ChecksumsName]
}

// leadsOutside reports whether rel, which os.Root would not open, resolves
// to a path outside the project: the root tells that case only in its
// error's text.
func (c *copier) leadsOutside(rel string) bool {
	project, err := filepath.EvalSymlinks(c.project)
	if err != nil {
		return false
	}
	real, err := filepath.EvalSymlinks(filepath.Join(project, filepath.FromSlash(rel)))
	if err != nil {
		return false
	}
	back, err := filepath.Rel(project, real)
	return err == nil && !filepath.IsLocal(back) && back != "."
}

// refuse is the one-line error for rel, a path in the project that changed
// since config checked it, or that config's check cannot see.
func (c *copier) refuse(rel, format string, args ...any) error {
	return exitcode.Config(fmt.Errorf("%s: %q %s", c.o.Field, rel, fmt.Sprintf(format, args...)))
}

// reason is what went wrong, without the path the message quotes itself.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// TypeName names a file type that is neither a regular file nor a folder,
// as "a named pipe (FIFO)".
func TypeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "a special file"
}
