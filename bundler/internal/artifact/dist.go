package artifact

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/version"
)

// LockName is the hidden file a build locks in dist on Windows, where a
// folder cannot be locked itself. It is bundle's own and never removed.
const LockName = ".bundle-lock"

// DistOptions say what a build or merge will write into dist.
type DistOptions struct {
	Name, Version string
	Clean         bool   // remove what earlier builds wrote first
	Project       string // the project folder, which dist must not be or hold; "" for none
	// Waiting is called once when another bundle build holds dist; the
	// build then waits for it until ctx is done.
	Waiting func()
	// Replaced is called with the old version when dist held nothing but
	// a snapshot build of this app of another version, which PrepareDist
	// then removed as --clean would: a snapshot is a throwaway build, so
	// the next one or the release takes its place. Nil refuses such a dist
	// like any other version's, for a caller that cannot tell the user.
	Replaced func(snapshot string)
}

// CheckDist refuses, without writing anything, a dist that PrepareDist
// would refuse whatever the version: a file, a folder that is or holds the
// project or the working directory, or a folder holding anything bundle
// did not write. A build calls it before the slow checks, so a mistyped
// --dist fails at once.
func CheckDist(dist string, clean bool, project string) error {
	info, err := os.Stat(dist)
	if err != nil {
		return nil // nothing there to lose; PrepareDist says why it cannot be created
	}
	if !info.IsDir() {
		return notAFolder(dist)
	}
	if err := checkProtected(dist, clean, project); err != nil {
		return err
	}
	if _, err := scanDist(dist, clean); err != nil {
		// Another build changes dist as it goes; PrepareDist looks again
		// once that build is done.
		if busy(dist) {
			return nil
		}
		_, err = scanDist(dist, clean)
		return err
	}
	return nil
}

// PrepareDist makes dist ready for a build, before any artifact is
// written. It creates dist and locks it (waiting for another build that
// holds it), then:
//   - it refuses a dist that is or holds the project or the working
//     directory, and a dist holding any file bundle did not write: one
//     listed in artifacts.json or the journal, or an unfinished write;
//   - with Clean it removes every file bundle wrote there (a link as a
//     link, never what it points to);
//   - without Clean it refuses a dist that holds another version's or
//     another app's artifacts instead of silently mixing them, except
//     a snapshot build of this app, which it replaces when Replaced is set;
//   - it removes leftovers of interrupted writes, and the old checksums.txt
//     and artifacts.json, so an interrupted build never leaves a manifest
//     that does not match the files.
//
// It returns the manifest that was there (nil when none), so the caller can
// keep files of that same version it did not make again, and the journal
// the build records its artifacts in, which holds dist's lock until Close.
func PrepareDist(ctx context.Context, dist string, o DistOptions) (*Manifest, *Journal, error) {
	// Checked before the lock too: on Windows the lock is a file in dist.
	if err := CheckDist(dist, o.Clean, o.Project); err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(dist, 0o755); err != nil {
		return nil, nil, exitcode.Config(fmt.Errorf("%s cannot be created (%v); pass --dist with a writable folder", distFolder(dist), unwrapPath(err)))
	}
	unlock, err := lockDist(ctx, dist, o.Waiting)
	if err != nil {
		return nil, nil, err
	}
	old, j, err := prepareLocked(dist, o)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	j.unlock = unlock
	return old, j, nil
}

// prepareLocked is PrepareDist once dist's lock is held.
func prepareLocked(dist string, o DistOptions) (*Manifest, *Journal, error) {
	probe, err := os.CreateTemp(dist, ".probe-*"+TempSuffix)
	if err != nil {
		return nil, nil, exitcode.Config(fmt.Errorf("%s is not writable (%v); pass --dist with a writable folder", distFolder(dist), unwrapPath(err)))
	}
	probe.Close()
	os.Remove(probe.Name())

	if err := checkProtected(dist, o.Clean, o.Project); err != nil { // dist may have been created as a link since
		return nil, nil, err
	}
	s, err := scanDist(dist, o.Clean)
	if err != nil {
		return nil, nil, err
	}
	root, err := os.OpenRoot(dist)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", distFolder(dist), err)
	}
	defer root.Close()
	snapshot, isSnapshot := s.snapshotOf(o.Name, o.Version)
	replace := isSnapshot && !o.Clean && o.Replaced != nil
	if o.Clean || replace {
		// Every name is checked before any goes, so a refusal removes
		// nothing.
		for _, n := range s.owned {
			if err := checkOwned(dist, n, o.Clean); err != nil {
				return nil, nil, err
			}
		}
		// Artifacts first and the files that say they are bundle's last, so
		// a failure halfway leaves nothing unowned.
		for _, last := range []bool{false, true} {
			for _, n := range s.owned {
				if n != LockName && last == describesDist(n) {
					if err := removeOwned(root, dist, n); err != nil {
						return nil, nil, fmt.Errorf("%s: remove old %s: %w", distFolder(dist), n, err)
					}
				}
			}
		}
		if replace {
			o.Replaced(snapshot)
		}
		j, err := startJournal(dist, o.Name, o.Version, nil)
		return nil, j, err
	}

	var keep []string
	if jr := s.journal; jr != nil {
		if jr.name != o.Name || jr.version != o.Version {
			return nil, nil, exitcode.Config(fmt.Errorf("%s holds part of an interrupted build of %s %s, not %s %s; pass --clean to replace it, or another --dist", distFolder(dist), jr.name, jr.version, o.Name, o.Version))
		}
		keep = append(keep, jr.files...)
	}
	if old := s.old; old != nil {
		if old.Name != o.Name || old.Version != o.Version {
			return nil, nil, exitcode.Config(fmt.Errorf("%s holds %s %s, not %s %s; pass --clean to replace it, or another --dist", distFolder(dist), old.Name, old.Version, o.Name, o.Version))
		}
		for _, a := range old.Artifacts {
			keep = append(keep, a.Path)
		}
	}
	stale := slices.DeleteFunc(slices.Clone(s.owned), func(n string) bool {
		return !IsTemp(n) && n != ManifestName && n != ChecksumsName
	})
	for _, n := range stale {
		if err := checkOwned(dist, n, false); err != nil {
			return nil, nil, err
		}
	}
	// The journal owns the old artifacts before their manifest goes, so a
	// kill in between leaves nothing unowned.
	j, err := startJournal(dist, o.Name, o.Version, keep)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range stale {
		if err := removeOwned(root, dist, n); err != nil {
			return nil, nil, fmt.Errorf("%s: remove old %s: %w", distFolder(dist), n, err)
		}
	}
	return s.old, j, nil
}

// distState is what dist holds and which of it bundle wrote.
type distState struct {
	old     *Manifest     // artifacts.json; nil when none
	journal *journalState // the journal of an interrupted build; nil when none
	owned   []string      // names in dist that bundle wrote, sorted
}

// snapshotOf returns the version of the snapshot build of app that dist
// holds, finished or interrupted, when it holds builds of nothing else
// and that version is not v.
func (s *distState) snapshotOf(app, v string) (string, bool) {
	var held []string
	if s.old != nil {
		if s.old.Name != app {
			return "", false
		}
		held = append(held, s.old.Version)
	}
	if s.journal != nil {
		if s.journal.name != app {
			return "", false
		}
		held = append(held, s.journal.version)
	}
	if len(held) == 0 {
		return "", false
	}
	for _, h := range held {
		if h == v || !version.IsSnapshot(h) {
			return "", false
		}
	}
	return held[0], true
}

// scanDist reads dist's manifest and journal and refuses a dist holding
// anything else than what they list, bundle's unfinished writes, and
// themselves. It never follows a link out of dist: both must be regular
// files, and every name they list must be a file name in dist.
func scanDist(dist string, clean bool) (*distState, error) {
	entries, err := os.ReadDir(dist)
	if err != nil {
		return nil, exitcode.Config(fmt.Errorf("%s cannot be read (%v); pass --dist with a readable folder", distFolder(dist), unwrapPath(err)))
	}
	s := &distState{}
	if s.old, err = ReadManifest(dist); err != nil {
		return nil, refuse(clean, "%v; remove it or pass another --dist", err)
	}
	if s.journal, err = readJournal(dist); err != nil {
		return nil, refuse(clean, "%v; remove it or pass another --dist", err)
	}
	own := map[string]bool{LockName: true}
	if s.old != nil || s.journal != nil {
		// checksums.txt is written just before artifacts.json, while the
		// journal is still there.
		own[ManifestName], own[ChecksumsName] = true, true
	}
	if s.journal != nil {
		own[JournalName] = true
		for _, f := range s.journal.files {
			own[f] = true
		}
	}
	if s.old != nil {
		for _, a := range s.old.Artifacts {
			own[a.Path] = true
		}
	}
	for _, e := range entries { // sorted, so the first foreign file is always the same
		n := e.Name()
		if !own[n] && !IsTemp(n) {
			return nil, refuse(clean, "%s holds %s, which bundle did not write; move it out of dist, or pass another --dist", distFolder(dist), n)
		}
		s.owned = append(s.owned, n)
	}
	return s, nil
}

// checkProtected refuses a dist that is, or is above, the project folder
// or the working directory: it holds what bundle must never delete. Both
// the paths as given and with links resolved are checked.
func checkProtected(dist string, clean bool, project string) error {
	d, err := os.Stat(dist)
	if err != nil {
		return nil // does not exist yet, so it holds nothing
	}
	type folder struct{ what, path string }
	var protect []folder
	if project != "" {
		protect = append(protect, folder{"the project folder", project})
	}
	if wd, err := os.Getwd(); err == nil {
		protect = append(protect, folder{"the working directory", wd})
	}
	for _, f := range protect {
		abs, err := filepath.Abs(f.path)
		if err != nil {
			continue
		}
		paths := []string{abs}
		if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
			paths = append(paths, real)
		}
		for _, p := range paths {
			for dir, above := p, false; ; dir, above = filepath.Dir(dir), true {
				if info, err := os.Stat(dir); err == nil && os.SameFile(info, d) {
					where := "is"
					if above {
						where = "is above"
					}
					return refuse(clean, "%s %s %s %s; pass --dist with a folder for bundle's output only, such as dist", distFolder(dist), where, f.what, abs)
				}
				if filepath.Dir(dir) == dir {
					break
				}
			}
		}
	}
	return nil
}

// checkOwned refuses to remove name from dist unless it is what bundle
// writes: a regular file or a link, on dist's own mount. A folder (bundle
// writes none) is never entered, so a bind mount or a user's files inside
// one cannot be lost; a file mounted over one of bundle's names is left
// for its owner to unmount.
func checkOwned(dist, name string, clean bool) error {
	path := filepath.Join(dist, name)
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case info.IsDir():
		return refuse(clean, "%s holds a folder %s, which bundle never writes, so it does not enter it; move it out of dist, or pass another --dist", distFolder(dist), name)
	case !info.Mode().IsRegular() && info.Mode()&fs.ModeSymlink == 0:
		return refuse(clean, "%s holds %s, which is not a regular file (%s), so bundle did not write it; move it out of dist, or pass another --dist", distFolder(dist), name, info.Mode().Type())
	}
	same, err := sameMount(dist, path)
	if err != nil {
		return err
	}
	if !same {
		return refuse(clean, "%s holds %s, which is mounted from elsewhere; bundle never removes across a mount: unmount it, or pass another --dist", distFolder(dist), name)
	}
	return nil
}

// removeOwned removes a file bundle wrote in dist, a link as a link,
// after checkOwned, never following a link out of root.
func removeOwned(root *os.Root, dist, name string) error {
	if err := checkOwned(dist, name, false); err != nil {
		return err
	}
	err := root.Remove(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// describesDist reports whether name is one of the files that say what
// dist holds.
func describesDist(name string) bool {
	return name == ManifestName || name == ChecksumsName || name == JournalName || name == LockName
}

// isFileName reports whether p, a path from artifacts.json or the journal,
// names an artifact directly in dist. bundle writes no folders, so a path
// with a separator, "..", or an absolute path is none of its artifacts;
// nor is a name checksums.txt's lines could not hold (a control character)
// or that is not UTF-8.
func isFileName(p string) bool {
	return filepath.IsLocal(p) && p != "." && !strings.ContainsAny(p, `/\`) && !describesDist(p) &&
		utf8.ValidString(p) && !strings.ContainsFunc(p, unicode.IsControl)
}

func refuse(clean bool, format string, args ...any) error {
	if clean {
		format = "refusing --clean: " + format
	}
	return exitcode.Config(fmt.Errorf(format, args...))
}

func notAFolder(dist string) error {
	return exitcode.Config(fmt.Errorf("%s is a file, not a folder; pass --dist with a folder path", distFolder(dist)))
}

// distFolder names dist in messages. Quoted, because the default "dist"
// unquoted would read "dist dist".
func distFolder(dist string) string {
	return fmt.Sprintf("dist folder %q", dist)
}

// unwrapPath drops the *PathError wrapper, whose message repeats the path.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
