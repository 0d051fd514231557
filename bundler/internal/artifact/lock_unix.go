//go:build unix

package artifact

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// oNoFollow makes opening a link fail instead of opening what it points to.
const oNoFollow = unix.O_NOFOLLOW

// lockDist takes an exclusive flock(2) on the dist folder itself, so no
// file of the lock's own appears in dist. While another build holds it,
// it calls waiting once and tries again until ctx is done.
func lockDist(ctx context.Context, dist string, waiting func()) (unlock func(), err error) {
	f, err := os.Open(dist)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", distFolder(dist), err)
	}
	fd := int(f.Fd())
	locked := true
	err = waitForLock(ctx, dist, waiting, func() (bool, error) {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return false, nil
		case unsupported(err):
			// Some network file systems cannot flock a folder; a build
			// there goes ahead unlocked, as before locks existed.
			locked = false
			return false, nil
		case errors.Is(err, unix.EWOULDBLOCK):
			return true, nil
		}
		return false, err
	})
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		if locked {
			unix.Flock(fd, unix.LOCK_UN)
		}
		f.Close()
	}, nil
}

// busy reports whether another build holds dist's lock right now.
func busy(dist string) bool {
	f, err := os.Open(dist)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return errors.Is(err, unix.EWOULDBLOCK)
	}
	unix.Flock(int(f.Fd()), unix.LOCK_UN)
	return false
}

// unsupported reports whether flock failed because dist's file system
// cannot lock a folder (NFS emulates flock with locks that need a file
// open for writing).
func unsupported(err error) bool {
	return errors.Is(err, unix.ENOLCK) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EBADF) || errors.Is(err, unix.EINVAL)
}
