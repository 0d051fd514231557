package worker

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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
