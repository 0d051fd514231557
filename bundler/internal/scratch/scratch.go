// Package scratch makes bundle's temporary folders, which hold its work,
// the go toolchain's own temporary files and, on Windows, secrets passed to
// signing tools. Each goes with the process however it ends: removed when
// the caller is done and, on Unix, by a small watcher process when bundle
// dies first (SIGKILL, the kernel's out-of-memory killer, a Go runtime
// fatal error), which no deferred call in bundle itself can handle.
package scratch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Dir creates a new folder in the temporary folder, named prefix followed
// by random characters, and returns it with remove, which removes it and
// everything in it; call remove on every path.
func Dir(prefix string) (dir string, remove func(), err error) {
	base := os.TempDir()
	if info, err := os.Stat(base); err != nil || !info.IsDir() {
		what := "does not exist"
		if err == nil {
			what = "is not a folder"
		} else if !errors.Is(err, fs.ErrNotExist) {
			what = "cannot be read (" + err.Error() + ")"
		}
		return "", nil, fmt.Errorf("the temporary folder %s %s; set TMPDIR to a folder that exists, or unset it", base, what)
	}
	dir, err = os.MkdirTemp(base, prefix)
	if err != nil {
		return "", nil, fmt.Errorf("create a folder in the temporary folder %s (%v); set TMPDIR to a writable folder", base, unwrap(err))
	}
	stop := watch(dir)
	return dir, func() {
		os.RemoveAll(dir)
		stop()
	}, nil
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
