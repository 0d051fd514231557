package artifact

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// oNoFollow is 0: Windows has no such flag, so openRegular relies on its
// checks before and after opening.
const oNoFollow = 0

// lockFlags ask LockFileEx for an exclusive lock without blocking, so
// waiting can be cancelled.
const lockFlags = windows.LOCKFILE_EXCLUSIVE_LOCK | windows.LOCKFILE_FAIL_IMMEDIATELY

// lockDist locks the hidden file LockName in dist with LockFileEx (a
// folder cannot be locked on Windows). While another build holds it, it
// calls waiting once and tries again until ctx is done.
func lockDist(ctx context.Context, dist string, waiting func()) (unlock func(), err error) {
	path := filepath.Join(dist, LockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", distFolder(dist), err)
	}
	if p, err := windows.UTF16PtrFromString(path); err == nil {
		windows.SetFileAttributes(p, windows.FILE_ATTRIBUTE_HIDDEN)
	}
	h := windows.Handle(f.Fd())
	ol := new(windows.Overlapped)
	err = waitForLock(ctx, dist, waiting, func() (bool, error) {
		err := windows.LockFileEx(h, lockFlags, 0, 1, 0, ol)
		switch {
		case err == nil:
			return false, nil
		case errors.Is(err, windows.ERROR_LOCK_VIOLATION):
			return true, nil
		}
		return false, err
	})
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		windows.UnlockFileEx(h, 0, 1, 0, ol)
		f.Close()
	}, nil
}

// busy reports whether another build holds dist's lock right now. It
// creates no lock file: without one, no build holds dist.
func busy(dist string) bool {
	f, err := os.OpenFile(filepath.Join(dist, LockName), os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	h := windows.Handle(f.Fd())
	ol := new(windows.Overlapped)
	if err := windows.LockFileEx(h, lockFlags, 0, 1, 0, ol); err != nil {
		return errors.Is(err, windows.ERROR_LOCK_VIOLATION)
	}
	windows.UnlockFileEx(h, 0, 1, 0, ol)
	return false
}
