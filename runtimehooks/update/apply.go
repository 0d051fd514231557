package update

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ErrRolledBack is Restart's error when the new version did not prove
// healthy: the previous version is back on disk, and the calling process
// (which is that version) goes on running.
var ErrRolledBack = errors.New("the new version did not prove healthy and was rolled back")

// Journal states. Every step of Apply is a rename, recorded before it is
// made, so a kill at any point leaves the old or the new version whole at
// the executable's path, and the journal says which way to finish.
const (
	stateApplying  = "applying"  // renames under way; Files says what was replaced
	stateApplied   = "applied"   // the new version is on disk, not yet started
	stateProbation = "probation" // the new version runs and must call Healthy (which writes <work>/healthy)
)

// journal is <work>/journal.json.
type journal struct {
	State    string    `json:"state"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Kind     Kind      `json:"kind"`
	Root     string    `json:"root"`     // the app's folder, or the .app bundle
	Exe      string    `json:"exe"`      // the executable, relative to Root
	Replaced []string  `json:"replaced"` // portable: files replaced, the executable last
	Added    []string  `json:"added"`    // portable: files the new version adds
	Attempts int       `json:"attempts"` // starts on probation without a watcher
	Deadline time.Time `json:"deadline"` // of the probation
}

// place is where an install lives and where its updates are staged: on
// the same file system, so every step is a rename.
type place struct {
	kind Kind
	root string // replaced by an update
	exe  string // the executable, relative to root
	work string // staging, backup, journal and lock
}

// locate finds the install of the executable exe.
func locate(exe string, kind Kind) (place, error) {
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	switch kind {
	case Portable:
		root := filepath.Dir(exe)
		return place{kind, root, filepath.Base(exe), filepath.Join(root, ".update")}, nil
	case App:
		macos := filepath.Dir(exe)
		root := filepath.Dir(filepath.Dir(macos))
		if filepath.Base(filepath.Dir(macos)) != "Contents" || !strings.HasSuffix(root, ".app") {
			return place{}, fmt.Errorf("%s is not inside a .app bundle", exe)
		}
		rel, _ := filepath.Rel(root, exe)
		return place{kind, root, rel, filepath.Join(filepath.Dir(root), "."+filepath.Base(root)+".update")}, nil
	}
	if kind.Managed() {
		return place{}, fmt.Errorf("%w: this copy was installed by its %s package; update it with %s", ErrManaged, kind, kind.Manager())
	}
	return place{}, fmt.Errorf("installing a %s update is not supported yet; download and run it", kind)
}

func (p place) journalPath() string { return filepath.Join(p.work, "journal.json") }
func (p place) staged() string      { return filepath.Join(p.work, "new") }
func (p place) backup() string      { return filepath.Join(p.work, "old") }

// aside holds files Windows would not let be replaced while they ran;
// they go once nothing runs them.
func (p place) aside() string { return filepath.Join(p.work, "aside") }

func (p place) readJournal() (*journal, error) {
	data, err := os.ReadFile(p.journalPath())
	if err != nil {
		return nil, err
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("update journal %s: %w", p.journalPath(), err)
	}
	return &j, nil
}

func (p place) writeJournal(j *journal) error {
	data, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return writeAtomic(p.journalPath(), data)
}

// Applied is a new version installed on disk and not yet proven: Restart
// starts it on probation; Close leaves it for the next start, which runs
// the probation itself.
type Applied struct {
	u    *Updater
	p    place
	j    *journal
	lock *os.File
	once sync.Once
}

// Apply installs the downloaded file at path in place of the running
// version. A portable folder has each file replaced by a rename (the
// executable last), after a hard link of the old one is kept; a .app
// bundle is swapped with its new copy in one atomic exchange. A package
// manager's install is never touched. Nothing is changed when the
// download cannot be unpacked or lacks the executable.
func (u *Updater) Apply(ctx context.Context, a *Available, path string) (*Applied, error) {
	if sum, size, err := hashFile(path); err != nil || sum != a.File.SHA256 || size != a.File.Size {
		return nil, fmt.Errorf("update: %w: %s changed after it was downloaded", ErrCorrupt, path)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	p, err := locate(exe, a.File.Kind)
	if err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	if err := os.MkdirAll(p.work, 0o755); err != nil {
		return nil, fmt.Errorf("update: cannot write beside the app (%w); install it where the user can write, or update it as its installer does", err)
	}
	lock, err := tryLock(filepath.Join(p.work, "lock"))
	if err != nil {
		return nil, fmt.Errorf("update: another update of this app is under way: %w", err)
	}
	ap := &Applied{u: u, p: p, lock: lock}
	if err := ap.apply(ctx, a, path); err != nil {
		ap.Close()
		return nil, fmt.Errorf("update: %w", err)
	}
	return ap, nil
}

func (ap *Applied) apply(ctx context.Context, a *Available, path string) error {
	p := ap.p
	if j, err := p.readJournal(); err == nil && !p.healthy(j.To) {
		return fmt.Errorf("an update to %s is still on probation; start the app once so it finishes", j.To)
	}
	for _, d := range []string{p.staged(), p.backup(), p.aside()} {
		if err := os.RemoveAll(d); err != nil { // left by an update that ended
			return err
		}
	}
	if err := extract(path, a.File.Format, p.staged()); err != nil {
		os.RemoveAll(p.staged())
		return fmt.Errorf("unpack %s: %w", a.File.Name, err)
	}
	if info, err := os.Stat(filepath.Join(p.staged(), p.exe)); err != nil || !info.Mode().IsRegular() {
		os.RemoveAll(p.staged())
		return fmt.Errorf("%s holds no %s; it is not a build of this app", a.File.Name, p.exe)
	}
	if err := ctx.Err(); err != nil {
		os.RemoveAll(p.staged())
		return err
	}
	j := &journal{State: stateApplying, From: ap.u.current.String(), To: a.Feed.Version, Kind: p.kind, Root: p.root, Exe: p.exe}
	if p.kind == App {
		return ap.swapBundle(j)
	}
	return ap.replaceFiles(j)
}

// replaceFiles moves each staged file over the installed one, keeping a
// hard link of the old one in the backup, the executable last: until its
// rename the old version runs, after it the new one does, whole.
func (ap *Applied) replaceFiles(j *journal) error {
	p := ap.p
	var files []string
	err := filepath.Walk(p.staged(), func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(p.staged(), path)
		if rel != p.exe {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return err
	}
	files = append(files, p.exe)
	for _, rel := range files {
		if _, err := os.Lstat(filepath.Join(p.root, rel)); err == nil {
			j.Replaced = append(j.Replaced, rel)
		} else {
			j.Added = append(j.Added, rel)
		}
	}
	for _, rel := range j.Replaced {
		if err := keep(filepath.Join(p.root, rel), filepath.Join(p.backup(), rel)); err != nil {
			os.RemoveAll(p.backup())
			return fmt.Errorf("keep the running version's %s: %w", rel, err)
		}
	}
	if err := p.writeJournal(j); err != nil {
		return err
	}
	for _, rel := range files {
		dst := filepath.Join(p.root, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return ap.undo(j, err)
		}
		if err := replace(filepath.Join(p.staged(), rel), dst, p.aside()); err != nil {
			return ap.undo(j, err)
		}
	}
	j.State = stateApplied
	return p.writeJournal(j)
}

// swapBundle exchanges the installed .app bundle with the staged one.
func (ap *Applied) swapBundle(j *journal) error {
	p := ap.p
	if err := p.writeJournal(j); err != nil {
		return err
	}
	if err := exchange(p.staged(), p.root); err != nil {
		return ap.undo(j, err)
	}
	if err := os.Rename(p.staged(), p.backup()); err != nil {
		return err // the journal still says applying; the next start finishes by version
	}
	j.State = stateApplied
	return p.writeJournal(j)
}

// undo puts the old version back after a failed apply and reports err.
func (ap *Applied) undo(j *journal, err error) error {
	if rerr := rollback(ap.p, j); rerr != nil {
		return fmt.Errorf("%v, and putting the old version back failed: %v", err, rerr)
	}
	return err
}

// keep makes dst a hard link of src, or a copy where links are not
// possible.
func keep(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	info, err := os.Lstat(src)
	if err != nil {
		return err
	}
	if info.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, info.Mode().Perm())
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// rollback puts the previous version back: the backup's files over the
// new ones and the files the new version added removed, or the bundles
// exchanged again. It is safe to run again after a kill.
func rollback(p place, j *journal) error {
	if p.kind == App {
		if _, err := os.Stat(p.backup()); err == nil {
			if err := exchange(p.backup(), p.root); err != nil {
				return err
			}
			return os.RemoveAll(p.backup())
		}
		if _, err := os.Stat(p.staged()); err == nil && RunningVersion() == j.To {
			// Killed between the exchange and the rename: staged holds
			// the old bundle.
			if err := exchange(p.staged(), p.root); err != nil {
				return err
			}
		}
		return os.RemoveAll(p.staged())
	}
	for _, rel := range j.Added {
		if err := os.Remove(filepath.Join(p.root, rel)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	for _, rel := range j.Replaced {
		old := filepath.Join(p.backup(), rel)
		if _, err := os.Lstat(old); err != nil {
			continue // put back already
		}
		if err := replace(old, filepath.Join(p.root, rel), p.aside()); err != nil {
			return err
		}
	}
	os.RemoveAll(p.staged())
	return os.RemoveAll(p.backup())
}

// finish ends an update whose outcome is decided: the journal goes, then
// the backup and staging folders as far as they can. On Windows a file of
// the backup is the image of a process still running (the watcher, the
// previous version) and cannot be removed yet: the next update removes it.
func finish(p place) error {
	if err := os.Remove(p.journalPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	os.Remove(p.healthyPath())
	for _, d := range []string{p.backup(), p.staged(), p.aside()} {
		os.RemoveAll(d)
	}
	return nil
}

// Close gives up the update's lock. An applied version not started by
// Restart goes on probation at its first start.
func (ap *Applied) Close() error {
	ap.once.Do(func() { ap.lock.Close() })
	return nil
}
