package scaffold

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/vcs"
)

// GitignoreName is the file init keeps dist out of git with.
const GitignoreName = ".gitignore"

// distRule is the line init adds: dist beside .gitignore, not a folder of
// that name deeper in the project.
const distRule = "/dist/"

// What IgnoreDist did to .gitignore, as Gitignore.Change says.
const (
	GitignoreWritten  = "written"  // a new .gitignore holding /dist/
	GitignoreExtended = "extended" // /dist/ appended to the project's own
)

// Gitignore is what IgnoreDist did to the project's .gitignore.
type Gitignore struct {
	Path   string // the project's .gitignore
	Change string // GitignoreWritten, GitignoreExtended, or "" when nothing changed
	// Refused says why a .gitignore that does not ignore dist was left as
	// it is: it is a link, or not a regular file.
	Refused string
}

// IgnoreDist keeps dist, bundle's default output folder, out of git in
// the project in dir: it writes .gitignore with /dist/ when there is none,
// or appends /dist/ to it, keeping what it holds. In a git work tree git
// says whether dist is ignored already (by any of its rules); elsewhere
// .gitignore's lines do. It writes only to a regular file, never through
// a link.
func IgnoreDist(ctx context.Context, dir string) (Gitignore, error) {
	g := Gitignore{Path: filepath.Join(dir, GitignoreName)}
	inGit := false
	if ignored, ok := vcs.Ignores(ctx, dir, "dist/"); ok {
		if ignored {
			return g, nil
		}
		inGit = true
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return g, fmt.Errorf("init: %w", err)
	}
	defer root.Close()

	before, err := root.Lstat(GitignoreName)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := create(root); err != nil {
			return g, fmt.Errorf("init: write %s: %w", g.Path, err)
		}
		g.Change = GitignoreWritten
		return g, nil
	case err != nil:
		return g, fmt.Errorf("init: %w", err)
	case before.Mode()&fs.ModeSymlink != 0:
		// Git reads no .gitignore through a link (since 2.32), so a rule
		// written through one would not count.
		g.Refused = "it is a symbolic link, which git does not follow"
		return g, nil
	case !before.Mode().IsRegular():
		g.Refused = "it is " + kind(before.Mode()) + ", not a regular file"
		return g, nil
	}

	f, err := root.OpenFile(GitignoreName, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return g, fmt.Errorf("init: %w", err)
	}
	defer f.Close()
	if after, err := f.Stat(); err != nil || !os.SameFile(before, after) { // replaced by a link or another file since
		return g, fmt.Errorf("init: %s changed while it was opened; run bundle init again", g.Path)
	}
	text, err := io.ReadAll(f)
	if err != nil {
		return g, fmt.Errorf("init: read %s: %w", g.Path, err)
	}
	if !inGit && ignoresDist(string(text)) {
		return g, nil
	}
	rule := distRule + "\n"
	if len(text) > 0 && text[len(text)-1] != '\n' {
		rule = "\n" + rule
	}
	if _, err := f.WriteString(rule); err != nil {
		return g, fmt.Errorf("init: add %s to %s: %w", distRule, g.Path, err)
	}
	if err := f.Close(); err != nil {
		return g, fmt.Errorf("init: add %s to %s: %w", distRule, g.Path, err)
	}
	g.Change = GitignoreExtended
	return g, nil
}

// create writes a new .gitignore holding distRule; O_EXCL, so a file or
// link that appeared since is never written through.
func create(root *os.Root) error {
	f, err := root.OpenFile(GitignoreName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(distRule + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// distRules are the lines that ignore dist beside .gitignore.
var distRules = []string{"dist", "dist/", "/dist", "/dist/", "dist/*", "/dist/*", "**/dist", "**/dist/"}

// ignoresDist reports whether the lines of a .gitignore ignore dist,
// read as git reads them: trailing spaces do not count, and the last rule
// that names dist, "!" un-ignoring, decides.
func ignoresDist(text string) bool {
	ignored := false
	for line := range strings.Lines(text) {
		rule := strings.TrimRight(line, "\r\n ")
		negated := strings.HasPrefix(rule, "!")
		if slices.Contains(distRules, strings.TrimPrefix(rule, "!")) {
			ignored = !negated
		}
	}
	return ignored
}

// kind names what a file that is not a regular file is, for a message.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}
