package update

import (
	"os"
	"os/exec"

	"golang.org/x/sys/windows"
)

// tryLock takes an exclusive lock on path without waiting. The lock goes
// with the process, so a kill frees it.
func tryLock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	ol := new(windows.Overlapped)
	if err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// terminate: Windows has no SIGTERM for a process without a console of
// its own; the grace period then ends in a kill.
func terminate(p *os.Process) {}

// reexec starts the executable at path, now the previous version, with
// the same arguments, and exits: Windows cannot replace a process image.
func reexec(path string) {
	cmd := exec.Command(path, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}
