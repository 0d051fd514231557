package artifact

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// JournalName is the hidden file in dist that records, while a build runs,
// which app and version it is for and each artifact it has finished. A
// build that was killed leaves it behind, so the next build of the same
// version knows those files are its own (their names follow each format's
// conventions, not one pattern).
const JournalName = ".bundle-journal"

// Journal appends finished artifacts to dist's journal.
type Journal struct {
	mu   sync.Mutex
	path string
}

// readJournal returns the app, version and finished files a journal holds.
func readJournal(dist string) (name, version string, files []string, ok bool) {
	f, err := os.Open(filepath.Join(dist, JournalName))
	if err != nil {
		return "", "", nil, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	if !s.Scan() {
		return "", "", nil, false
	}
	name, version, _ = strings.Cut(s.Text(), "\t")
	for s.Scan() {
		files = append(files, s.Text())
	}
	return name, version, files, true
}

// startJournal writes a new journal for name and version that keeps the
// files an interrupted build of the same version finished.
func startJournal(dist, name, version string, keep []string) (*Journal, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\t%s\n", name, version)
	for _, f := range keep {
		b.WriteString(f + "\n")
	}
	p := filepath.Join(dist, JournalName)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		return nil, fmt.Errorf("write %s: %w", JournalName, err)
	}
	return &Journal{path: p}, nil
}

// Add records a finished artifact.
func (j *Journal) Add(file string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	f, err := os.OpenFile(j.path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if _, err := f.WriteString(file + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("journal: %w", err)
	}
	return f.Close()
}

// Owned returns the files the journal lists.
func (j *Journal) Owned() []string {
	_, _, files, _ := readJournal(filepath.Dir(j.path))
	return files
}

// Finish removes the journal: the manifest now describes dist.
func (j *Journal) Finish() error { return os.Remove(j.path) }
