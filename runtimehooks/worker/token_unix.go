//go:build unix

package worker

import (
	"os"
	"strings"
	"syscall"
)

// tokenFD is the descriptor that carries the lineage record from a hooked
// process to every process it starts, directly or not. It is not
// close-on-exec, so fork and exec (os/exec, shells, env, double forks,
// syscall.Exec) pass it on; a high number keeps it out of the way of
// descriptors programs pass on purpose (0-2, ExtraFiles from 3, systemd's
// sockets from 3).
const tokenFD = 97

// readTokenFD returns the record at tokenFD, and whether this process may
// put its own record there: when the descriptor is closed or holds a record.
// Anything else at tokenFD belongs to some other program and is left alone.
func readTokenFD() (record string, free bool) {
	var st syscall.Stat_t
	if err := syscall.Fstat(tokenFD, &st); err != nil {
		return "", err == syscall.EBADF
	}
	if int(st.Mode)&syscall.S_IFMT != syscall.S_IFREG || st.Size <= 0 || st.Size > maxRecordSize {
		return "", false
	}
	buf := make([]byte, st.Size)
	n, err := syscall.Pread(tokenFD, buf, 0)
	if err != nil {
		return "", false
	}
	// A record of any version may be replaced.
	record = string(buf[:n])
	return record, strings.HasPrefix(record, lineageKind)
}

// installToken puts record at tokenFD in a new unlinked file, replacing the
// inherited one. Best effort: without it, the environment still carries the
// record. Raw system calls: os.File would register the file with the
// runtime poller, which costs more than the rest together.
func installToken(record string) {
	fd, err := newTokenFD()
	if err != nil {
		return
	}
	defer syscall.Close(fd)
	if fd == tokenFD {
		return
	}
	data := []byte(record + "\n")
	for len(data) > 0 {
		n, err := syscall.Write(fd, data)
		if err != nil {
			return
		}
		data = data[n:]
	}
	dupTo(fd, tokenFD) // the copy is not close-on-exec
}

// tempTokenFD returns a descriptor of an unlinked temporary file.
func tempTokenFD() (int, error) {
	f, err := os.CreateTemp("", "bundle-rt-lineage-*")
	if err != nil {
		return -1, err
	}
	defer f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return -1, err
	}
	return syscall.Dup(int(f.Fd()))
}

// aliveByPid reports whether a process with e's pid exists. A reused pid
// looks alive too, which errs on the side of counting one generation too
// many.
func aliveByPid(e lineageEntry) bool {
	err := syscall.Kill(e.pid, 0)
	return err == nil || err == syscall.EPERM
}
