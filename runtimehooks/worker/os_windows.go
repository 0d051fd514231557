// Windows: the kill-on-close Job Object, the parent pid, the refusal log,
// supervision and the lineage channels.

package worker

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
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

// logDiagnostic appends line to <UserCacheDir>/bundle-runtime/<exe>.log,
// because a GUI-subsystem program has no console to show stderr. Failures
// are ignored: the diagnostic is best-effort and the exit code still tells.
func logDiagnostic(exe, line string) {
	cache, err := os.UserCacheDir()
	if err != nil || exe == "" {
		return
	}
	dir := filepath.Join(cache, "bundle-runtime")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	base := filepath.Base(exe)
	name := strings.TrimSuffix(base, filepath.Ext(base)) + ".log"
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s pid %d: %s\r\n", time.Now().Format(time.RFC3339), os.Getpid(), line)
}

// lifelineCarriesGo is true on Windows: the worker waits for goByte, which
// the parent sends only after putting the worker in its job object, so the
// worker cannot start anything that escapes the job.
const lifelineCarriesGo = true

// useJobObject is true in every real program; tests switch it off in a
// helper process to check that the lifeline alone stops an orphaned worker.
var useJobObject = true

// passLifeline lets the child inherit the read end of the lifeline (and only
// that handle: exec passes an explicit handle list) and returns its value.
// Handle values are the same in the child.
func passLifeline(cmd *exec.Cmd, r *os.File) (string, error) {
	h := syscall.Handle(r.Fd())
	if err := syscall.SetHandleInformation(h, syscall.HANDLE_FLAG_INHERIT, syscall.HANDLE_FLAG_INHERIT); err != nil {
		return "", fmt.Errorf("make lifeline inheritable: %w", err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{AdditionalInheritedHandles: []syscall.Handle{h}}
	return strconv.FormatUint(uint64(h), 10), nil
}

// afterStart puts the worker in this process's kill-on-close job, so it dies
// with this process however that ends, then lets the worker begin. If the
// job cannot be used (nested-job limits of old Windows, a job that forbids
// it), the lifeline alone still stops the worker when this process exits.
func afterStart(p *os.Process, lifeline *os.File) {
	if useJobObject {
		assignToJob(p.Pid)
	}
	lifeline.Write([]byte{goByte}) // fails only if the worker is already gone
}

// requestStop does nothing beyond closing the lifeline, which works for GUI
// programs too: they have no console to send control events to.
func requestStop(*os.Process) {}

// kill terminates the worker (TerminateProcess, exit status 1).
func kill(p *os.Process) {
	p.Kill()
}

// openLifeline opens the inherited read end of the lifeline.
func openLifeline(ref string) (*os.File, error) {
	v, err := strconv.ParseUint(ref, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("invalid %s=%q", envLifeline, ref)
	}
	h := syscall.Handle(v)
	// Not inheritable any more, so the worker's own children do not get it;
	// this also fails for a handle that is not open.
	if err := syscall.SetHandleInformation(h, syscall.HANDLE_FLAG_INHERIT, 0); err != nil {
		return nil, fmt.Errorf("lifeline handle %d: %w", v, err)
	}
	return os.NewFile(uintptr(h), "bundle-rt-lifeline"), nil
}

// subscribeStopSignals makes Ctrl-C/Ctrl-Break (os.Interrupt) and console
// close, logoff and shutdown (SIGTERM) stop requests.
func subscribeStopSignals() chan os.Signal {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	return c
}

// Windows passes no descriptor through os/exec (it lists the handles a
// child inherits), so the record travels in two places that, unlike the
// environment, a program cannot clear, replace or forge by accident:
//
//   - a named file mapping, Local\bundle-rt-<pid>-<creation time>, that
//     every hooked process creates and never closes, so it lives exactly
//     as long as the process and a reused pid cannot be mistaken for it;
//   - a volatile registry value, HKCU\Software\bundle-runtime\lineage\<pid>
//     (volatile: in memory only, gone at logoff), that outlives the
//     process, for a copy whose starter exited before the copy's guard
//     ran, as a relay (relaunch, then exit) often does.
//
// A starting process walks up its ancestors, checking at every step that
// the ancestor was created before its child (or its pid was reused), and
// takes the record of the nearest hooked one: its mapping while it runs,
// its registry value once it has exited.

// maxAncestors bounds the walk: the app itself, cmd /c, a launcher that
// starts a shell that starts the copy.
const maxAncestors = 4

// registryKeep is how many values the lineage key may hold before a
// process prunes the ones older than registryRetention. This bounds the
// key's size; no rule depends on it (a relay slower than an hour, on a
// machine that started 256 hooked processes meanwhile, loses its link and
// is left to the table's bound).
const (
	registryKeep      = 256
	registryRetention = time.Hour
)

const (
	processQueryLimitedInformation = 0x1000
	stillActive                    = 259
	errorInvalidParameter          = syscall.Errno(87) // OpenProcess of a pid no process has
	fileMapRead                    = 0x4
	fileMapWrite                   = 0x2
	regOptionVolatile              = 0x1
	keyQueryValue                  = 0x1
	keySetValue                    = 0x2
	regSZ                          = 1
)

const lineageKey = `Software\bundle-runtime\lineage`

var (
	procCreateFileMappingW = kernel32.NewProc("CreateFileMappingW")
	procOpenFileMappingW   = kernel32.NewProc("OpenFileMappingW")
	procRtlMoveMemory      = kernel32.NewProc("RtlMoveMemory")
	advapi32               = syscall.NewLazyDLL("advapi32.dll")
	procRegCreateKeyExW    = advapi32.NewProc("RegCreateKeyExW")
	procRegSetValueExW     = advapi32.NewProc("RegSetValueExW")
	procRegDeleteValueW    = advapi32.NewProc("RegDeleteValueW")
	procRegEnumValueW      = advapi32.NewProc("RegEnumValueW")
)

// readTokenFD returns the record of this process's nearest hooked
// ancestor, "" if there is none within maxAncestors. The second result
// is always true: this process publishes its own record (installToken).
func readTokenFD() (string, bool) {
	current, _ := syscall.GetCurrentProcess()
	childCreated := creationTime(current)
	pid := parentPID()
	if childCreated == 0 {
		return "", true
	}
	for level := 0; level < maxAncestors && pid > 0; level++ {
		h, err := syscall.OpenProcess(processQueryLimitedInformation, false, uint32(pid))
		if err == errorInvalidParameter {
			// No such process: the starter exited. Only its registry
			// value is left.
			return recentRecord(pid, 0, childCreated), true
		}
		if err != nil {
			return "", true // a process this one may not look at: a service, another user's
		}
		created := creationTime(h)
		if created == 0 || created > childCreated {
			// Created after its child: the pid was reused, so the
			// starter exited.
			syscall.CloseHandle(h)
			return recentRecord(pid, 0, childCreated), true
		}
		var record string
		if running(h) {
			record = mappedRecord(pid, created)
		} else {
			record = recentRecord(pid, created, childCreated) // exited; someone still holds a handle
		}
		next, ok := parentOf(h)
		syscall.CloseHandle(h)
		if record != "" {
			return record, true
		}
		if !ok {
			break
		}
		pid, childCreated = next, created
	}
	return "", true
}

// installToken publishes record as this process's: in its file mapping
// and in the registry. Best effort, as the environment still carries it.
func installToken(record string) {
	pid := os.Getpid()
	current, _ := syscall.GetCurrentProcess()
	created := creationTime(current)
	if created == 0 {
		return
	}
	publishMapping(pid, created, record)
	publishRegistry(pid, record)
}

// mappingName names the file mapping of process pid created at created.
func mappingName(pid int, created int64) string {
	return fmt.Sprintf(`Local\bundle-rt-%d-%d`, pid, created)
}

// publishMapping creates this process's mapping and leaves its handle
// open: the kernel closes it when the process exits, however it exits.
func publishMapping(pid int, created int64, record string) {
	name, err := syscall.UTF16PtrFromString(mappingName(pid, created))
	if err != nil || len(record)+1 > maxRecordSize {
		return
	}
	if procCreateFileMappingW.Find() != nil || procRtlMoveMemory.Find() != nil {
		return
	}
	h, _, lastErr := procCreateFileMappingW.Call(uintptr(syscall.InvalidHandle), 0, syscall.PAGE_READWRITE, 0, maxRecordSize, uintptr(unsafe.Pointer(name)))
	if h == 0 {
		return
	}
	if lastErr == syscall.ERROR_ALREADY_EXISTS {
		// Not created by this process: someone else's object, of unknown
		// size. Leave it alone.
		syscall.CloseHandle(syscall.Handle(h))
		return
	}
	addr, err := syscall.MapViewOfFile(syscall.Handle(h), fileMapWrite, 0, 0, maxRecordSize)
	if err != nil {
		syscall.CloseHandle(syscall.Handle(h))
		return
	}
	data := []byte(record + "\n")
	// RtlMoveMemory takes the view's address as a number, which keeps a
	// uintptr-to-pointer conversion (and go vet's warning) out of here.
	procRtlMoveMemory.Call(addr, uintptr(unsafe.Pointer(&data[0])), uintptr(len(data)))
	syscall.UnmapViewOfFile(addr)
}

// mappedRecord reads the record in the mapping of the running process pid.
func mappedRecord(pid int, created int64) string {
	name, err := syscall.UTF16PtrFromString(mappingName(pid, created))
	if err != nil || procOpenFileMappingW.Find() != nil || procRtlMoveMemory.Find() != nil {
		return ""
	}
	h, _, _ := procOpenFileMappingW.Call(fileMapRead, 0, uintptr(unsafe.Pointer(name)))
	if h == 0 {
		return ""
	}
	defer syscall.CloseHandle(syscall.Handle(h))
	// A mapping smaller than a record's maximum is no record: the view
	// cannot be mapped then.
	addr, err := syscall.MapViewOfFile(syscall.Handle(h), fileMapRead, 0, 0, maxRecordSize)
	if err != nil {
		return ""
	}
	defer syscall.UnmapViewOfFile(addr)
	buf := make([]byte, maxRecordSize)
	procRtlMoveMemory.Call(uintptr(unsafe.Pointer(&buf[0])), addr, uintptr(len(buf)))
	for i, b := range buf {
		if b == 0 {
			buf = buf[:i]
			break
		}
	}
	return string(buf)
}

// publishRegistry stores record as the value named by this process's pid
// in the volatile lineage key, and prunes old values when there are many.
func publishRegistry(pid int, record string) {
	if procRegCreateKeyExW.Find() != nil || procRegSetValueExW.Find() != nil {
		return
	}
	path, _ := syscall.UTF16PtrFromString(lineageKey)
	var key syscall.Handle
	var disposition uint32
	if r, _, _ := procRegCreateKeyExW.Call(uintptr(syscall.HKEY_CURRENT_USER), uintptr(unsafe.Pointer(path)), 0, 0,
		regOptionVolatile, keySetValue|keyQueryValue, 0, uintptr(unsafe.Pointer(&key)), uintptr(unsafe.Pointer(&disposition))); r != 0 {
		return
	}
	defer syscall.RegCloseKey(key)
	name, _ := syscall.UTF16PtrFromString(strconv.Itoa(pid))
	data, err := syscall.UTF16FromString(record)
	if err != nil {
		return
	}
	procRegSetValueExW.Call(uintptr(key), uintptr(unsafe.Pointer(name)), 0, regSZ,
		uintptr(unsafe.Pointer(&data[0])), uintptr(2*len(data)))
	pruneRegistry(key, time.Now().UnixMilli())
}

// pruneRegistry deletes the values of processes that started more than
// registryRetention ago once the key holds more than registryKeep: a
// running process has its mapping, and an exited one matters only to a
// copy it started before it exited.
func pruneRegistry(key syscall.Handle, now int64) {
	var values uint32
	if syscall.RegQueryInfoKey(key, nil, nil, nil, nil, nil, nil, &values, nil, nil, nil, nil) != nil || values <= registryKeep {
		return
	}
	if procRegEnumValueW.Find() != nil || procRegDeleteValueW.Find() != nil {
		return
	}
	var names []string
	for i := uint32(0); i < values; i++ {
		var buf [32]uint16
		n := uint32(len(buf))
		if r, _, _ := procRegEnumValueW.Call(uintptr(key), uintptr(i), uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n)), 0, 0, 0, 0); r != 0 {
			continue
		}
		names = append(names, syscall.UTF16ToString(buf[:n]))
	}
	for _, name := range names {
		entries, ok := parseLineage(registryValue(key, name))
		if ok && now-entries[0].at < registryRetention.Milliseconds() {
			continue
		}
		if p, err := syscall.UTF16PtrFromString(name); err == nil {
			procRegDeleteValueW.Call(uintptr(key), uintptr(unsafe.Pointer(p)))
		}
	}
}

// recentRecord returns the registry value of the exited process pid: the
// record of the last hooked process with that pid, if it was created at
// created, when that is known, or else before the child. After an exited
// hooked process Windows may give its pid to a program that is not hooked,
// whose copies are then taken for the hooked one's: a copy of an exited
// process only continues its run of one call (restart rules apply, which
// an exited starter passes) and counts in its lineage, so a stale record
// makes no program refuse what it would otherwise run, except where
// another copy of the same call runs in that lineage.
func recentRecord(pid int, created, before int64) string {
	path, _ := syscall.UTF16PtrFromString(lineageKey)
	var key syscall.Handle
	if syscall.RegOpenKeyEx(syscall.HKEY_CURRENT_USER, path, 0, keyQueryValue, &key) != nil {
		return ""
	}
	defer syscall.RegCloseKey(key)
	record := registryValue(key, strconv.Itoa(pid))
	entries, ok := parseLineage(record)
	if !ok || entries[0].pid != pid {
		return ""
	}
	e := entries[0]
	switch {
	case created != 0 && e.start == created:
		return record
	case created == 0 && e.start > 0 && e.start <= before:
		return record
	}
	return ""
}

// registryValue reads the string value name of key, "" if it is missing,
// not a string or longer than a record.
func registryValue(key syscall.Handle, name string) string {
	p, err := syscall.UTF16PtrFromString(name)
	if err != nil {
		return ""
	}
	var buf [maxRecordSize + 1]uint16
	var typ uint32
	n := uint32(2 * len(buf))
	if syscall.RegQueryValueEx(key, p, nil, &typ, (*byte)(unsafe.Pointer(&buf[0])), &n) != nil || typ != regSZ {
		return ""
	}
	return syscall.UTF16ToString(buf[:n/2])
}

// processStart returns the creation time of process pid (100 ns units since
// 1970), which tells it from a later process with a reused pid; 0 if unknown.
func processStart(pid int) int64 {
	if pid == os.Getpid() {
		current, _ := syscall.GetCurrentProcess()
		return creationTime(current)
	}
	h, err := syscall.OpenProcess(processQueryLimitedInformation, false, uint32(pid))
	if err != nil {
		return 0
	}
	defer syscall.CloseHandle(h)
	return creationTime(h)
}

func creationTime(h syscall.Handle) int64 {
	var created, exited, kernel, user syscall.Filetime
	if err := syscall.GetProcessTimes(h, &created, &exited, &kernel, &user); err != nil {
		return 0
	}
	return created.Nanoseconds() / 100
}

// running reports whether the process h has not exited.
func running(h syscall.Handle) bool {
	var code uint32
	return syscall.GetExitCodeProcess(h, &code) == nil && code == stillActive
}

// alive reports whether the process of e still runs.
func alive(e lineageEntry) bool {
	h, err := syscall.OpenProcess(processQueryLimitedInformation, false, uint32(e.pid))
	if err != nil {
		return false
	}
	defer syscall.CloseHandle(h)
	return running(h) && (e.start <= 0 || creationTime(h) == e.start)
}
