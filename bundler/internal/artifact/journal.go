package artifact

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// JournalName is the hidden file in dist that records, while a build runs,
// which app and version it is for and each artifact it writes. A build
// that was killed leaves it behind, so the next build of the same version
// knows those files are its own (their names follow each format's
// conventions, not one pattern).
const JournalName = ".bundle-journal"

// Journal records the artifacts a build writes into dist, and holds dist's
// lock until Close.
type Journal struct {
	mu            sync.Mutex
	dist          string
	name, version string
	files         []string
	finished      bool
	unlock        func()
}

// journalState is what a journal on disk says.
type journalState struct {
	name, version string
	files         []string
}

// readJournal reads dist's journal; nil when there is none. A journal that
// is not a regular file, or lists anything but file names in dist, is not
// one bundle wrote.
func readJournal(dist string) (*journalState, error) {
	f, err := openRegular(dist, JournalName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	path := filepath.Join(dist, JournalName)
	s := bufio.NewScanner(f)
	var j journalState
	var ok bool
	if s.Scan() {
		j.name, j.version, ok = strings.Cut(s.Text(), "\t")
	}
	if !ok {
		return nil, fmt.Errorf("%s is not a bundle journal", path)
	}
	for s.Scan() {
		if !isFileName(s.Text()) {
			return nil, fmt.Errorf("%s lists %q, which is not a file name in dist", path, s.Text())
		}
		j.files = append(j.files, s.Text())
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &j, nil
}

// startJournal writes a new journal for name and version that keeps the
// files an interrupted or earlier build of the same version wrote.
func startJournal(dist, name, version string, keep []string) (*Journal, error) {
	j := &Journal{dist: dist, name: name, version: version, files: slices.Compact(slices.Sorted(slices.Values(keep)))}
	if err := j.write(); err != nil {
		return nil, err
	}
	return j, nil
}

// write replaces the journal on disk through a temporary file, so a kill
// never leaves half a journal, and a link put in its place is replaced,
// not written through.
func (j *Journal) write() error {
	_, _, err := WriteFile(j.dist, JournalName, func(w io.Writer) error {
		if _, err := fmt.Fprintf(w, "%s\t%s\n", j.name, j.version); err != nil {
			return err
		}
		for _, f := range j.files {
			if _, err := io.WriteString(w, f+"\n"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

// Add records that the build writes file into dist.
func (j *Journal) Add(file string) error {
	if !isFileName(file) {
		return fmt.Errorf("journal: %q is not a file name in dist", file)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if slices.Contains(j.files, file) {
		return nil
	}
	j.files = append(j.files, file)
	return j.write()
}

// WriteFile writes an artifact into dist like the package's WriteFile,
// after recording it in the journal: a kill after its rename can never
// leave a file no journal or manifest owns.
func (j *Journal) WriteFile(name string, fill func(io.Writer) error) (size int64, sum string, err error) {
	if err := j.Add(name); err != nil {
		return 0, "", err
	}
	return WriteFile(j.dist, name, fill)
}

// MakeFile makes an artifact in dist like the package's MakeFile, after
// recording it in the journal.
func (j *Journal) MakeFile(name string, make func(dest string) error) (size int64, sum string, err error) {
	if err := j.Add(name); err != nil {
		return 0, "", err
	}
	return MakeFile(j.dist, name, make)
}

// Finish ends a build or merge that made m: it writes m (checksums.txt,
// then artifacts.json), removes the files the journal lists that m does
// not (left by an interrupted build, or changed since), so dist holds
// exactly what artifacts.json says, then the journal.
func (j *Journal) Finish(m Manifest) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := m.write(j.dist); err != nil {
		return err
	}
	root, err := os.OpenRoot(j.dist)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer root.Close()
	listed := map[string]bool{}
	for _, a := range m.Artifacts {
		listed[a.Path] = true
	}
	for _, f := range j.files {
		if !listed[f] {
			if err := removeOwned(root, j.dist, f); err != nil {
				return fmt.Errorf("remove %s: %w", f, err)
			}
		}
	}
	if err := root.Remove(JournalName); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.finished = true
	return nil
}

// Close releases dist's lock. The journal of a build that did not finish
// stays while a file it owns is in dist, so the next build knows them as
// bundle's; otherwise it goes, and dist is as the build found it.
func (j *Journal) Close() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.finished && !j.anyInDist() {
		os.Remove(filepath.Join(j.dist, JournalName))
	}
	if j.unlock != nil {
		j.unlock()
		j.unlock = nil
	}
}

func (j *Journal) anyInDist() bool {
	for _, f := range append([]string{ManifestName, ChecksumsName}, j.files...) {
		if _, err := os.Lstat(filepath.Join(j.dist, f)); err == nil {
			return true
		}
	}
	return false
}
