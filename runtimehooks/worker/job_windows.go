package worker

import (
	"fmt"
	"sync"
	"syscall"
	"unsafe"
)

var (
	kernel32                     = syscall.NewLazyDLL("kernel32.dll")
	procCreateJobObjectW         = kernel32.NewProc("CreateJobObjectW")
	procSetInformationJobObject  = kernel32.NewProc("SetInformationJobObject")
	procAssignProcessToJobObject = kernel32.NewProc("AssignProcessToJobObject")
)

const (
	processSetQuota                    = 0x0100 // PROCESS_SET_QUOTA
	jobObjectExtendedLimitInformation  = 9      // JOBOBJECTINFOCLASS
	jobObjectLimitKillOnJobClose       = 0x2000 // JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
	extendedLimitInformationSize64Bit  = 144    // sizeof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION), 64-bit
	extendedLimitInformationSize32Bit  = 112    // the same, 32-bit
	extendedLimitInformationLimitFlags = 2      // index of the uint64 holding LimitFlags (byte offset 16)
)

// job is this process's kill-on-close job object. It is created on first use
// and never closed: the kernel closes it when this process exits, however it
// exits, and then kills every process in it.
var job struct {
	once   sync.Once
	handle syscall.Handle
	err    error
}

// assignToJob puts the process pid in the job.
func assignToJob(pid int) error {
	job.once.Do(func() { job.handle, job.err = createKillOnCloseJob() })
	if job.err != nil {
		return job.err
	}
	p, err := syscall.OpenProcess(processSetQuota|syscall.PROCESS_TERMINATE, false, uint32(pid))
	if err != nil {
		return fmt.Errorf("OpenProcess %d: %w", pid, err)
	}
	defer syscall.CloseHandle(p)
	if ok, _, err := procAssignProcessToJobObject.Call(uintptr(job.handle), uintptr(p)); ok == 0 {
		return fmt.Errorf("AssignProcessToJobObject %d: %w", pid, err)
	}
	return nil
}

func createKillOnCloseJob() (syscall.Handle, error) {
	// Find first: Call panics on a missing procedure.
	for _, p := range []*syscall.LazyProc{procCreateJobObjectW, procSetInformationJobObject, procAssignProcessToJobObject} {
		if err := p.Find(); err != nil {
			return 0, err
		}
	}
	h, _, err := procCreateJobObjectW.Call(0, 0)
	if h == 0 {
		return 0, fmt.Errorf("CreateJobObject: %w", err)
	}
	// JOBOBJECT_EXTENDED_LIMIT_INFORMATION as raw, 8-byte aligned memory:
	// its only field set here, BasicLimitInformation.LimitFlags, sits at
	// byte 16 on every architecture, while Go's struct layout would differ
	// from C's on 32-bit Windows (int64 alignment).
	var info [extendedLimitInformationSize64Bit / 8]uint64
	info[extendedLimitInformationLimitFlags] = jobObjectLimitKillOnJobClose
	size := uintptr(extendedLimitInformationSize64Bit)
	if unsafe.Sizeof(uintptr(0)) == 4 {
		size = extendedLimitInformationSize32Bit
	}
	if ok, _, err := procSetInformationJobObject.Call(h, jobObjectExtendedLimitInformation, uintptr(unsafe.Pointer(&info[0])), size); ok == 0 {
		syscall.CloseHandle(syscall.Handle(h))
		return 0, fmt.Errorf("SetInformationJobObject: %w", err)
	}
	return syscall.Handle(h), nil
}
