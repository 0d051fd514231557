package worker

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// descendants lists the processes below pid, from /proc.
func descendants(pid int) ([]int, bool) {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil || len(stats) == 0 {
		return nil, false
	}
	children := map[int][]int{}
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue // the process is gone
		}
		// "pid (comm) state ppid ...": comm may contain spaces and parentheses.
		s := string(data)
		end := strings.LastIndexByte(s, ')')
		if end < 0 {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) < 2 {
			continue
		}
		child, err1 := strconv.Atoi(strings.Fields(s)[0])
		parent, err2 := strconv.Atoi(fields[1])
		if err1 == nil && err2 == nil {
			children[parent] = append(children[parent], child)
		}
	}
	var tree []int
	queue := []int{pid}
	for len(queue) > 0 {
		next := children[queue[0]]
		queue = append(queue[1:], next...)
		tree = append(tree, next...)
	}
	return tree, true
}

// startPdeathsig is the parent-death signal of the main thread, read during
// package initialisation, which runs on the main thread. The setting is
// per thread, and only the thread that exec started it has it.
var startPdeathsig = readPdeathsig()

func readPdeathsig() string {
	var sig int32
	const prGetPdeathsig = 2
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prGetPdeathsig, uintptr(unsafe.Pointer(&sig)), 0); errno != 0 {
		return fmt.Sprintf("pdeathsig=error(%v)", errno)
	}
	return fmt.Sprintf("pdeathsig=%d", sig)
}

// kernelSupervision reports the worker's parent-death signal.
func kernelSupervision() string { return startPdeathsig }

func disableKernelSupervision() { usePdeathsig = false }

// TestProcStat reads the start time and state of a process whose name
// holds spaces and parentheses, as /proc/<pid>/stat writes them, and tells
// a zombie.
func TestProcStat(t *testing.T) {
	link := filepath.Join(t.TempDir(), "x) y (z")
	if err := os.Symlink("/bin/sleep", link); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(link, "30")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	want := func() (string, string) {
		data, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/stat")
		fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
		return fields[0], fields[22-3]
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if data, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/stat"); bytes.Contains(data, []byte("(x) y (z)")) || time.Now().After(deadline) {
			break
		}
	}
	state, start := want()
	got, zombie := procStat(cmd.Process.Pid)
	if strconv.FormatInt(got, 10) != start || zombie || state == "Z" {
		t.Errorf("procStat = %d, %v; /proc says start %s, state %s", got, zombie, start, state)
	}
	cmd.Process.Kill()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, zombie = procStat(cmd.Process.Pid); zombie {
			break
		}
	}
	if !zombie {
		t.Error("procStat did not tell the killed, unreaped process for a zombie")
	}
}
