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
	if procNtQueryInformationProcess.Find() == nil {
		current, _ := syscall.GetCurrentProcess()
		status, _, _ := procNtQueryInformationProcess.Call(uintptr(current), processBasicInformation,
			uintptr(unsafe.Pointer(&info)), unsafe.Sizeof(info), 0)
		if status == 0 {
			return int(info.inheritedFromUnique)
		}
	}
	return os.Getppid()
}
