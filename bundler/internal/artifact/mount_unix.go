//go:build unix && !linux

package artifact

import (
	"os"
	"syscall"
)

// sameMount reports whether path (not followed if a link) is on the same
// file system as dir.
func sameMount(dir, path string) (bool, error) {
	a, err := os.Lstat(dir)
	if err != nil {
		return false, err
	}
	b, err := os.Lstat(path)
	if err != nil {
		return false, err
	}
	return a.Sys().(*syscall.Stat_t).Dev == b.Sys().(*syscall.Stat_t).Dev, nil
}
