package worker

import (
	"fmt"
	"os/exec"
	"syscall"
	"unsafe"
)

func descendants(int) ([]int, bool) { return nil, false }

// kernelSupervision reports whether the worker is in a job object.
func kernelSupervision() string {
	var inJob int32
	proc := syscall.NewLazyDLL("kernel32.dll").NewProc("IsProcessInJob")
	self, _ := syscall.GetCurrentProcess()
	if ok, _, err := proc.Call(uintptr(self), 0, uintptr(unsafe.Pointer(&inJob))); ok == 0 {
		return fmt.Sprintf("injob=error(%v)", err)
	}
	return fmt.Sprintf("injob=%v", inJob != 0)
}

func disableKernelSupervision() { useJobObject = false }

func execSelf() error { return syscall.EWINDOWS }

// withoutLineage makes cmd start its process without this process's
// lineage record, which only the environment carries on Windows.
func withoutLineage(cmd *exec.Cmd) { cmd.Env = withoutKey(cmd.Env, envLineage) }

func tokenReport() string { return "no descriptor on windows" }
