package verify

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var sigterm = syscall.SIGTERM

func supported() bool { return true }

// prSetChildSubreaper makes orphaned descendants children of this process
// instead of init, so a grandchild whose parent died still counts, and is
// killed at the end.
const prSetChildSubreaper = 36

func adoptOrphans() (release func(), err error) {
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		return nil, errno
	}
	return func() { syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 0, 0) }, nil
}

// reapOrphans collects adopted descendants that have exited, so they do not
// stay as zombies of this process. It leaves root alone: exec.Cmd.Wait
// reaps that one and needs its status.
func reapOrphans(root int) {
	self := os.Getpid()
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == root {
			continue
		}
		if ppid, state, ok := stat(pid); ok && ppid == self && state == 'Z' {
			var ws syscall.WaitStatus
			syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
		}
	}
}

// tree returns root and every live descendant of it. Descendants adopted
// by this process (orphans of the tree, thanks to the subreaper flag) are
// included too. Zombies are dead and not counted.
func tree(root int) []int {
	children := map[int][]int{}
	alive := map[int]bool{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ppid, state, ok := stat(pid)
		if !ok || state == 'Z' || state == 'X' {
			continue
		}
		alive[pid] = true
		children[ppid] = append(children[ppid], pid)
	}
	var out []int
	var walk func(int)
	walk = func(p int) {
		if alive[p] {
			out = append(out, p)
		}
		for _, c := range children[p] {
			walk(c)
		}
	}
	walk(root)
	// Orphans adopted by this process belong to the tree under watch.
	for _, c := range children[os.Getpid()] {
		if c != root && !slices.Contains(out, c) {
			walk(c)
		}
	}
	return out
}

// stat reads a process's parent and state from /proc/<pid>/stat. The
// command name in parentheses may hold spaces, so parse after its last ')'.
func stat(pid int) (ppid int, state byte, ok bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+4 > len(s) {
		return 0, 0, false
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 2 {
		return 0, 0, false
	}
	ppid, err = strconv.Atoi(fields[1])
	return ppid, fields[0][0], err == nil
}

// killTree SIGKILLs every live process of the tree until none is left and
// returns how many it killed.
func killTree(root int) int {
	killed := map[int]bool{}
	for attempt := 0; attempt < 50; attempt++ {
		pids := tree(root)
		if len(pids) == 0 {
			break
		}
		for _, p := range pids {
			if syscall.Kill(p, syscall.SIGKILL) == nil {
				killed[p] = true
			}
		}
		reapOrphans(root)
		time.Sleep(10 * time.Millisecond)
	}
	return len(killed)
}
