//go:build unix

package update

import (
	"os"
	"syscall"
)

// tryLock takes an exclusive lock on path without waiting. The lock goes
// with the process, so a kill frees it.
func tryLock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func terminate(p *os.Process) { p.Signal(syscall.SIGTERM) }

// reexec replaces the process with the executable at path, now the
// previous version, with the same arguments.
func reexec(path string) {
	if err := syscall.Exec(path, os.Args, os.Environ()); err != nil {
		os.Exit(1)
	}
}
