package worker

import (
	"fmt"
	"runtime"
	"syscall"
	"unsafe"
)

// A Windows table is a named section of shared memory in the session's
// namespace (Local\bundle-rt-<app>), which lives while any process of the
// program holds it open (each does, for its life), and a named mutex
// (Local\bundle-rt-<app>-lock) that serialises every change. Windows has no
// record locks that die with a process, but it names a process exactly:
// a slot is live while a running process has its pid and creation time.
// A mutex whose holder died is handed over as abandoned, so a process
// killed while it holds it blocks nobody.

var (
	procCreateMutexW = kernel32.NewProc("CreateMutexW")
	procReleaseMutex = kernel32.NewProc("ReleaseMutex")
)

const (
	waitObject0   = 0x00000000
	waitAbandoned = 0x00000080
)

// processTable is a process's open table: the view of the shared section
// and the mutex, both kept for the life of the process.
type processTable struct {
	view  uintptr
	mutex syscall.Handle
	slots int
	name  string
}

func openTable(app string, slots int) (*processTable, error) {
	for _, p := range []*syscall.LazyProc{procCreateFileMappingW, procCreateMutexW, procReleaseMutex, procRtlMoveMemory} {
		if err := p.Find(); err != nil {
			return nil, err
		}
	}
	name := `Local\` + tableName(app)
	section, err := syscall.UTF16PtrFromString(name)
	if err != nil {
		return nil, err
	}
	size := uintptr((slots + runSlots) * slotSize)
	h, _, callErr := procCreateFileMappingW.Call(uintptr(syscall.InvalidHandle), 0, syscall.PAGE_READWRITE, 0, size, uintptr(unsafe.Pointer(section)))
	if h == 0 {
		return nil, fmt.Errorf("CreateFileMapping %s: %w", name, callErr)
	}
	view, err := syscall.MapViewOfFile(syscall.Handle(h), fileMapRead|fileMapWrite, 0, 0, size)
	if err != nil {
		// Another program's object of that name, smaller than a table.
		syscall.CloseHandle(syscall.Handle(h))
		return nil, fmt.Errorf("MapViewOfFile %s: %w", name, err)
	}
	lockName, _ := syscall.UTF16PtrFromString(name + "-lock")
	m, _, callErr := procCreateMutexW.Call(0, 0, uintptr(unsafe.Pointer(lockName)))
	if m == 0 {
		return nil, fmt.Errorf("CreateMutex %s-lock: %w", name, callErr)
	}
	return &processTable{view: view, mutex: syscall.Handle(m), slots: slots, name: name}, nil
}

// join takes a slot for this process; with a check, only if check finds
// no reason to refuse.
func (t *processTable) join(me tableEntry, check checkFunc) (string, error) {
	return t.locked(check, &me)
}

// record checks the table as join does and writes the run record check
// returns, unless it refuses.
func (t *processTable) record(check checkFunc) (string, error) {
	return t.locked(check, nil)
}

// locked holds the mutex while it runs check (when not nil) on the table,
// and unless check refuses, takes a slot for me (when not nil) and writes
// the run record check returns.
func (t *processTable) locked(check checkFunc, me *tableEntry) (string, error) {
	// A mutex belongs to a thread: keep this goroutine on one until it is
	// released.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	switch r, err := syscall.WaitForSingleObject(t.mutex, syscall.INFINITE); {
	case err != nil:
		return "", fmt.Errorf("lock %s: %w", t.name, err)
	case r != waitObject0 && r != waitAbandoned:
		return "", fmt.Errorf("lock %s: wait returned %#x", t.name, r)
	}
	defer procReleaseMutex.Call(uintptr(t.mutex))

	buf := make([]byte, (t.slots+runSlots)*slotSize)
	procRtlMoveMemory.Call(uintptr(unsafe.Pointer(&buf[0])), t.view, uintptr(len(buf)))
	owned := make([]bool, t.slots)
	var live []tableEntry
	for slot := range owned {
		if e, ok := decodeSlot(buf[slot*slotSize:]); ok && slotLive(e) {
			owned[slot] = true
			live = append(live, e)
		}
	}
	runs := buf[t.slots*slotSize:]
	var run *runRecord
	if check != nil {
		var refusal string
		if refusal, run = check(tableView{live: live, runs: readRuns(runs)}); refusal != "" {
			return refusal, nil
		}
	}
	if me != nil {
		slot := t.free(owned, me.pid)
		if slot < 0 {
			return ceilingMessage(t.slots), nil
		}
		t.write(slot, encodeSlot(*me))
	}
	if run != nil {
		j, r := runSlot(runs, *run)
		t.write(t.slots+j, encodeRun(r))
	}
	return "", nil
}

// free returns a slot no live process owns, starting from one that depends
// on pid so that processes seldom try the same slots; -1 if none is.
func (t *processTable) free(owned []bool, pid int) int {
	for i := 0; i < t.slots; i++ {
		if slot := (pid/4 + i) % t.slots; !owned[slot] {
			return slot
		}
	}
	return -1
}

// write copies one slot's bytes into the shared section.
func (t *processTable) write(slot int, data []byte) {
	procRtlMoveMemory.Call(t.view+uintptr(slot*slotSize), uintptr(unsafe.Pointer(&data[0])), slotSize)
}

// slotLive reports whether the process a slot names still runs.
func slotLive(e tableEntry) bool {
	return alive(lineageEntry{pid: e.pid, start: e.start})
}
