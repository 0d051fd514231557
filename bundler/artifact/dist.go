package artifact

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bundlekit/bundle/bundler/exitcode"
)

// PrepareDist makes dist ready for a build of name at version, before any
// artifact is written:
//   - it creates dist, or fails with a usage error that names it;
//   - with clean it empties dist, refusing to empty a folder that holds a
//     project (so a mistyped --dist cannot wipe source code);
//   - without clean it refuses a dist that holds another version's or
//     another app's artifacts, or files bundle did not write, instead of
//     silently mixing them;
//   - it removes leftovers of interrupted writes, and the old checksums.txt
//     and artifacts.json, so an interrupted build never leaves a manifest
//     that does not match the files.
//
// Files whose names start with prefix ("<binary>_<version>_"; "" for none)
// are this version's own artifacts from an interrupted run and may be
// replaced.
//
// It returns the manifest that was there (nil when none), so the caller can
// keep or remove files of that same version it did not make again, and the
// journal the build records its artifacts in.
func PrepareDist(dist, name, version, prefix string, clean bool) (*Manifest, *Journal, error) {
	if info, err := os.Stat(dist); err == nil && !info.IsDir() {
		return nil, nil, exitcode.Config(fmt.Errorf("dist %s is a file, not a folder; pass --dist with a folder path", dist))
	}
	if err := os.MkdirAll(dist, 0o755); err != nil {
		return nil, nil, exitcode.Config(fmt.Errorf("dist %s cannot be created (%v); pass --dist with a writable folder", dist, unwrapPath(err)))
	}
	probe, err := os.CreateTemp(dist, ".probe-*"+TempSuffix)
	if err != nil {
		return nil, nil, exitcode.Config(fmt.Errorf("dist %s is not writable (%v); pass --dist with a writable folder", dist, unwrapPath(err)))
	}
	probe.Close()
	os.Remove(probe.Name())

	entries, err := os.ReadDir(dist)
	if err != nil {
		return nil, nil, exitcode.Config(fmt.Errorf("dist %s cannot be read: %v", dist, unwrapPath(err)))
	}
	if clean {
		for _, marker := range []string{"bundle.yaml", "go.mod", ".git"} {
			if _, err := os.Lstat(filepath.Join(dist, marker)); err == nil {
				return nil, nil, exitcode.Config(fmt.Errorf("refusing --clean: dist %s holds %s, so it looks like a project, not an output folder; pass another --dist", dist, marker))
			}
		}
		for _, e := range entries {
			if err := os.RemoveAll(filepath.Join(dist, e.Name())); err != nil {
				return nil, nil, fmt.Errorf("clean %s: %w", dist, err)
			}
		}
		j, err := startJournal(dist, name, version, nil)
		return nil, j, err
	}

	old, err := ReadManifest(dist)
	if err != nil {
		return nil, nil, exitcode.Config(fmt.Errorf("%v; pass --clean to start over", err))
	}
	listed := map[string]bool{ManifestName: true, ChecksumsName: true, JournalName: true}
	jName, jVersion, jFiles, interrupted := readJournal(dist)
	if interrupted {
		if jName != name || jVersion != version {
			return nil, nil, exitcode.Config(fmt.Errorf("dist %s holds part of an interrupted build of %s %s, not %s %s; pass --clean to replace it, or another --dist", dist, jName, jVersion, name, version))
		}
		for _, f := range jFiles {
			listed[f] = true
		}
	}
	if old != nil {
		if old.Name != name || old.Version != version {
			return nil, nil, exitcode.Config(fmt.Errorf("dist %s holds %s %s, not %s %s; pass --clean to replace it, or another --dist", dist, old.Name, old.Version, name, version))
		}
		for _, a := range old.Artifacts {
			listed[strings.SplitN(a.Path, "/", 2)[0]] = true
		}
	}
	for _, e := range entries {
		switch n := e.Name(); {
		case IsTemp(n):
			if err := os.Remove(filepath.Join(dist, n)); err != nil {
				return nil, nil, fmt.Errorf("remove leftover %s: %w", n, err)
			}
		case !listed[n] && (prefix == "" || !strings.HasPrefix(n, prefix)):
			return nil, nil, exitcode.Config(fmt.Errorf("dist %s holds %s, which no finished bundle build of %s %s made; pass --clean to replace it, or another --dist", dist, n, name, version))
		}
	}
	for _, n := range []string{ManifestName, ChecksumsName} {
		if err := os.Remove(filepath.Join(dist, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("remove old %s: %w", n, err)
		}
	}
	j, err := startJournal(dist, name, version, jFiles)
	return old, j, err
}

// unwrapPath drops the *PathError wrapper, whose message repeats the path.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
