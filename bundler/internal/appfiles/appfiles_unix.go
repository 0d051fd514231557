//go:build unix

package appfiles

import (
	"io/fs"
	"syscall"
)

// oNonBlock makes opening a FIFO return at once instead of waiting for a
// writer.
const oNonBlock = syscall.O_NONBLOCK

// links is how many names the file has.
func links(info fs.FileInfo) uint64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}
