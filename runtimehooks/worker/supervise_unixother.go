//go:build unix && !linux

package worker

import "syscall"

// sysProcAttr gives the worker its own process group. Outside Linux there
// is no Pdeathsig to rely on; the lifeline tells the worker its parent died.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
