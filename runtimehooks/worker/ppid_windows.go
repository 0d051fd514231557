package worker

import (
	"os"
	"syscall"
	"unsafe"
)

var procNtQueryInformationProcess = syscall.NewLazyDLL("ntdll.dll").NewProc("NtQueryInformationProcess")

// parentPID returns the id of the process that created this one. os.Getppid
// takes a snapshot of every process in the system to find it (milliseconds
// on a busy machine, at every program start); the process's own basic
// information holds the same value.
func parentPID() int {
	current, _ := syscall.GetCurrentProcess()
	if ppid, ok := parentOf(current); ok {
		return ppid
	}
	return os.Getppid()
}

// parentOf returns the id of the process that created the process h (a
// handle with PROCESS_QUERY_LIMITED_INFORMATION access at least). That
// process may have exited since, and its id may have been reused.
func parentOf(h syscall.Handle) (int, bool) {
	// PROCESS_BASIC_INFORMATION: six pointer-sized fields once padded.
	var info struct {
		exitStatus          uintptr
		pebBaseAddress      uintptr
		affinityMask        uintptr
		basePriority        uintptr
		uniqueProcessID     uintptr
		inheritedFromUnique uintptr
	}
	const processBasicInformation = 0
	if procNtQueryInformationProcess.Find() != nil {
		return 0, false
	}
	status, _, _ := procNtQueryInformationProcess.Call(uintptr(h), processBasicInformation,
		uintptr(unsafe.Pointer(&info)), unsafe.Sizeof(info), 0)
	if status != 0 {
		return 0, false
	}
	return int(info.inheritedFromUnique), true
}
