package inspect

import "golang.org/x/sys/unix"

// limitFiles caps the size of each file process pid writes, so a tool
// asked to export a hostile package's streams (msiinfo) cannot fill the
// temporary folder: past the cap the kernel stops it (SIGXFSZ). It is set
// right after the tool starts, long before it opens the package.
func limitFiles(pid int, size uint64) {
	unix.Prlimit(pid, unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: size, Max: size}, nil)
}
