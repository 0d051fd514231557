// Linux: supervision (Pdeathsig on a locked thread) and the lineage
// descriptor.

package worker

import (
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"unsafe"
)

// usePdeathsig is true in every real program; tests switch it off in a
// helper process to check that the lifeline alone stops an orphaned worker.
var usePdeathsig = true

// sysProcAttr asks the kernel to send SIGTERM to the worker when the thread
// that started it dies (Pdeathsig), and gives the worker its own process group.
func sysProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	if usePdeathsig {
		attr.Pdeathsig = syscall.SIGTERM
	}
	return attr
}

// launch starts cmd and waits for it on a goroutine locked to its OS thread
// for the child's whole life. Pdeathsig fires when the forking *thread*
// exits, not the process (golang/go#27505), and the Go runtime ends a thread
// whose locked goroutine exits; a thread nobody else can use stays alive.
func launch(cmd *exec.Cmd, exited func(error)) error {
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		exited(cmd.Wait())
	}()
	return <-started
}

// memfdCreate is the memfd_create system call number per architecture, as
// in golang.org/x/sys/unix (package syscall lacks most; this package imports
// only the standard library so that the bundler can copy it into any module).
var memfdCreate = map[string]uintptr{
	"386": 356, "amd64": 319, "arm": 385, "arm64": 279, "loong64": 279,
	"mips": 4354, "mipsle": 4354, "mips64": 5314, "mips64le": 5314,
	"ppc64": 360, "ppc64le": 360, "riscv64": 279, "s390x": 350,
}

// newTokenFD returns an anonymous in-memory file (no temporary directory
// needed), or an unlinked temporary file where memfd_create is missing
// (kernels before 3.17, or forbidden by a sandbox).
func newTokenFD() (int, error) {
	if nr, ok := memfdCreate[runtime.GOARCH]; ok {
		name := [...]byte{'b', 'u', 'n', 'd', 'l', 'e', '-', 'r', 't', 0}
		const mfdCloexec = 1
		fd, _, errno := syscall.Syscall(nr, uintptr(unsafe.Pointer(&name[0])), mfdCloexec, 0)
		if errno == 0 {
			return int(fd), nil
		}
	}
	return tempTokenFD()
}

func dupTo(fd, to int) error { return syscall.Dup3(fd, to, 0) }

// processStart returns the start time of process pid in clock ticks since
// boot (field 22 of /proc/<pid>/stat), which stays the same across exec and
// tells a process from a later one with a reused pid; 0 if unknown.
func processStart(pid int) int64 {
	start, _ := procStat(pid)
	return start
}

// procStat returns the start time of process pid and whether it has exited
// and waits to be reaped (a zombie, which an init that does not reap keeps
// for good). Raw system calls, as os.ReadFile costs twice as much.
func procStat(pid int) (start int64, zombie bool) {
	path := "/proc/self/stat"
	if pid != os.Getpid() {
		path = "/proc/" + strconv.Itoa(pid) + "/stat"
	}
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return 0, false
	}
	var buf [1024]byte
	n, err := syscall.Read(fd, buf[:])
	syscall.Close(fd)
	if err != nil || n <= 0 {
		return 0, false
	}
	// "pid (comm) state ppid ...": comm may contain spaces and parentheses.
	// Scanned in place: this runs at every start.
	b := buf[:n]
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+3 >= len(b) {
		return 0, false
	}
	zombie = b[i+2] == 'Z'
	const startField = 22 - 2 // fields 1 and 2 end with the ')'
	for field := 0; field < startField; field++ {
		j := bytes.IndexByte(b[i+1:], ' ')
		if j < 0 {
			return 0, false
		}
		i += j + 1
	}
	for _, c := range b[i+1:] {
		if c < '0' || c > '9' {
			break
		}
		start = start*10 + int64(c-'0')
	}
	return start, zombie
}

// alive reports whether the process of e still runs: kill(pid, 0) first,
// which is cheap and answers for most exited processes.
func alive(e lineageEntry) bool {
	if !aliveByPid(e) {
		return false
	}
	start, zombie := procStat(e.pid)
	return !zombie && (e.start <= 0 || start == e.start)
}
