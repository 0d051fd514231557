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

	"github.com/bundlekit/bundle/runtimehooks/update/archive"
	"github.com/bundlekit/bundle/runtimehooks/update/delta"
)

// ErrRolledBack is Restart's error when the new version did not prove
// healthy: the previous version is back on disk, and the calling process
// (which is that version) goes on running.
var ErrRolledBack = errors.New("the new version did not prove healthy and was rolled back")

// Journal states. Each step of an update is recorded before it is made,
// under the update's lock, and every step is a rename or an exchange: so a
// kill at any point leaves the old or the new version whole at the
// executable's path (but see replace on Windows), and the next start
// finishes the way the journal says.
const (
	stateApplying    = "applying"     // renames under way: the next start rolls back unless the new executable is in place
	stateApplied     = "applied"      // the new version is on disk, not yet started
	stateProbation   = "probation"    // the new version runs and must call Healthy (which writes <work>/healthy)
	stateRollingBack = "rolling-back" // the previous version is being put back: the next start finishes it
)

// journal is <work>/journal.json.
type journal struct {
	State    string   `json:"state"`
	From     string   `json:"from"` // the running version, as RunningVersion says it
	To       string   `json:"to"`   // the new version, as the feed says it
	Kind     Kind     `json:"kind"`
	NewSum   string   `json:"new_sum"`  // SHA-256 of the new executable: tells which version is in place
	Replaced []string `json:"replaced"` // files replaced, the executable last
	Added    []string `json:"added"`    // files the new version adds
	Attempts int      `json:"attempts"` // starts on probation without a watcher
	Marked   bool     `json:"marked"`   // a rollback of a version that failed, not of an interrupted apply
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
	case Portable, NSIS, MSI:
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
	want := a.File
	if path == a.deltaPath {
		want.Name, want.Size, want.SHA256 = a.File.Delta.Name, a.File.Delta.Size, a.File.Delta.SHA256
	}
	if sum, size, err := hashFile(path); err != nil || sum != want.SHA256 || size != want.Size {
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
	if j, err := p.readJournal(); err == nil {
		return fmt.Errorf("an update to %s is not finished (%s); start the app once so it finishes", j.To, j.State)
	}
	// Left by an update that ended. What Windows still runs, or will not
	// let go of, cannot be removed; its folder is renamed out of the way
	// (which Windows allows), so this update starts with empty ones.
	for _, d := range []string{p.staged(), p.backup(), p.aside()} {
		if os.RemoveAll(d) != nil {
			stale := fmt.Sprintf("%s.stale-%d", d, os.Getpid())
			if err := os.Rename(d, stale); err != nil {
				return fmt.Errorf("clear %s, left by an earlier update: %w", d, err)
			}
			os.RemoveAll(stale)
		}
	}
	os.Remove(p.healthyPath())
	j := &journal{State: stateApplying, From: ap.u.running, To: a.Feed.Version, Kind: p.kind}
	if p.kind == NSIS || p.kind == MSI {
		return ap.runInstaller(ctx, j, path)
	}
	if err := ap.unpack(ctx, a, path); err != nil {
		os.RemoveAll(p.staged())
		return fmt.Errorf("unpack %s: %w", a.File.Name, err)
	}
	sum, _, err := hashFile(filepath.Join(p.staged(), p.exe))
	if err != nil {
		os.RemoveAll(p.staged())
		return fmt.Errorf("%s holds no %s; it is not a build of this app", a.File.Name, p.exe)
	}
	j.NewSum = sum
	if err := ctx.Err(); err != nil {
		os.RemoveAll(p.staged())
		return err
	}
	if p.kind == App {
		return ap.swapBundle(j)
	}
	return ap.replaceFiles(j)
}

// unpack makes the new version's files in staging: from the release
// archive, or from the delta and the installed files. A delta that does
// not fit them (a file changed since it was installed) is dropped for the
// whole archive, downloaded now.
func (ap *Applied) unpack(ctx context.Context, a *Available, path string) error {
	p := ap.p
	if path == a.deltaPath {
		err := delta.ApplyTree(path, p.root, p.staged())
		if err == nil {
			return nil
		}
		os.RemoveAll(p.staged())
		full, derr := ap.u.download(ctx, a.File, nil)
		if derr != nil {
			return fmt.Errorf("the delta did not apply (%v), and %w", err, derr)
		}
		path = full
	}
	return archive.Extract(path, a.File.Format, p.staged())
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
	return ap.applied(j)
}

// swapBundle exchanges the installed .app bundle with the staged one; the
// staged folder then holds the previous bundle, and becomes the backup.
func (ap *Applied) swapBundle(j *journal) error {
	p := ap.p
	if err := p.writeJournal(j); err != nil {
		return err
	}
	if err := exchange(p.staged(), p.root); err != nil {
		return ap.undo(j, err)
	}
	if err := os.Rename(p.staged(), p.backup()); err != nil {
		return ap.undo(j, err)
	}
	return ap.applied(j)
}

// applied records that the new version is in place, or puts the previous
// one back when that cannot be recorded: Apply never reports a failure
// with the new version installed.
func (ap *Applied) applied(j *journal) error {
	j.State = stateApplied
	if err := ap.p.writeJournal(j); err != nil {
		return ap.undo(j, err)
	}
	ap.j = j
	return nil
}

// undo puts the previous version back after a failed apply, ends the
// update, and reports err.
func (ap *Applied) undo(j *journal, err error) error {
	if rerr := rollBack(ap.p, j); rerr != nil {
		return fmt.Errorf("%v, and putting the previous version back failed (the next start tries again): %v", err, rerr)
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

// rollBack puts the previous version back and ends the update. It records
// the rollback first, and each of its steps can be made again, so a kill
// part-way leaves a journal the next start finishes. When it fails, the
// journal and the backup stay: nothing is lost that could put it right.
// The version is marked as one not to offer again when j.Marked says the
// new version failed (not when an apply was interrupted).
func rollBack(p place, j *journal) error {
	if j.State != stateRollingBack {
		j.State = stateRollingBack
		if err := p.writeJournal(j); err != nil {
			return err
		}
	}
	if err := restore(p, j); err != nil {
		return err
	}
	if j.Marked {
		markRolledBack(p, j.To)
	}
	return finish(p)
}

// restore puts the previous version's files back.
func restore(p place, j *journal) error {
	if p.kind == App {
		if p.rootIsNew(j) {
			// The previous bundle is the backup, or, when the apply was cut
			// between the exchange and the rename, still the staged folder.
			old := p.backup()
			if _, err := os.Stat(old); err != nil {
				old = p.staged()
			}
			if err := exchange(old, p.root); err != nil {
				return err
			}
		}
		return nil
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
	return nil
}

// rootIsNew reports whether the new version's executable is in place: its
// hash is the journal's (an installer's, unknown beforehand, is any
// executable other than the backup's).
func (p place) rootIsNew(j *journal) bool {
	sum, _, err := hashFile(filepath.Join(p.root, p.exe))
	if err != nil {
		return false
	}
	if j.NewSum != "" {
		return sum == j.NewSum
	}
	old, _, err := hashFile(filepath.Join(p.backup(), p.exe))
	return err == nil && sum != old
}

// finish ends an update whose outcome is decided: the healthy mark, then
// the journal, then the backup and staging folders as far as they can go.
// On Windows a file of the backup is the image of a process still running
// (the watcher, the previous version) and cannot be removed yet: the next
// update removes it.
func finish(p place) error {
	if err := os.Remove(p.healthyPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Remove(p.journalPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, d := range []string{p.backup(), p.staged(), p.aside()} {
		os.RemoveAll(d)
	}
	return nil
}

// Close gives up the update's lock. An applied version not started by
// Restart goes on probation at its first start.
func (ap *Applied) Close() error {
	ap.once.Do(func() {
		ap.lock.Close()
		ap.lock = nil
	})
	return nil
}
