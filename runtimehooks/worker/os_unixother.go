//go:build unix && !linux

// macOS and the BSDs: what Linux does with Pdeathsig and /proc, they do
// without.

package worker

import (
	"syscall"
)

// sysProcAttr gives the worker its own process group. Outside Linux there
// is no Pdeathsig to rely on; the lifeline tells the worker its parent died.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// newTokenFD returns a descriptor of an unlinked temporary file.
func newTokenFD() (int, error) { return tempTokenFD() }

func dupTo(fd, to int) error { return syscall.Dup2(fd, to) }

// processStart returns 0: there is no cheap way to read a process's start
// time here with the standard library alone, so processes are told apart by
// pid only.
func processStart(int) int64 { return 0 }

func alive(e lineageEntry) bool { return aliveByPid(e) }
