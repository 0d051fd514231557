package worker

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// maxWalk bounds the ancestors ancestorRecord looks at: a launcher (sudo
// starts a monitor that starts the command, pkexec and systemd-run
// --scope exec in place), a shell, and one more.
const maxWalk = 4

// ancestorRecord returns the record of this process's nearest ancestor
// that has one, for a process that inherited none: a launcher such as sudo
// or pkexec clears the environment and closes every descriptor above
// stderr, but the copy's starter may still run (its descriptor holds its
// record), or the launcher's own environment, as the starter passed it,
// may hold it. Only processes this one may inspect are read (the same
// user, or any as root). "" when none has one.
func ancestorRecord() string {
	pid := parentPID()
	for level := 0; level < maxWalk && pid > 1; level++ {
		dir := "/proc/" + strconv.Itoa(pid) + "/"
		if record, _ := readRecordFile(dir+"fd/"+strconv.Itoa(tokenFD), maxRecordSize); record != "" {
			return record
		}
		if env, ok := readRecordFile(dir+"environ", 1<<20); ok {
			for _, kv := range bytes.Split([]byte(env), []byte{0}) {
				if v, found := bytes.CutPrefix(kv, []byte(envLineage+"=")); found {
					return string(v)
				}
			}
		}
		pid = parentOf(pid)
	}
	return ""
}

// readRecordFile reads a small file with raw system calls; it reports
// false when the file cannot be read, or is larger than limit.
func readRecordFile(path string, limit int) (string, bool) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOCTTY, 0)
	if err != nil {
		return "", false
	}
	defer syscall.Close(fd)
	buf := make([]byte, 0, 4096)
	for len(buf) < limit {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err != nil {
			return "", false
		}
		if n == 0 {
			return string(buf), true
		}
		buf = buf[:len(buf)+n]
	}
	return "", false
}

// parentOf returns the parent pid of process pid from /proc, 0 if unknown.
func parentOf(pid int) int {
	stat, ok := readRecordFile("/proc/"+strconv.Itoa(pid)+"/stat", 4096)
	if !ok {
		return 0
	}
	// "pid (comm) state ppid ...": comm may contain spaces and parentheses.
	end := bytes.LastIndexByte([]byte(stat), ')')
	if end < 0 {
		return 0
	}
	fields := bytes.Fields([]byte(stat[end+1:]))
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(string(fields[1]))
	return ppid
}

// isOrphan reports whether parent pid ppid is init or a service manager:
// the parent of a copy whose starter exited (the kernel hands orphans to
// init, or to the session's systemd as subreaper) or that a service
// manager started for it (systemd-run). Such a copy cannot be linked to
// its starter by its ancestors.
func isOrphan(ppid int) bool {
	if ppid <= 1 {
		return true
	}
	comm, ok := readRecordFile("/proc/"+strconv.Itoa(ppid)+"/comm", 64)
	return ok && strings.TrimSpace(comm) == "systemd"
}

// programProcesses counts the processes that run this executable file
// (links included, by device and inode), those that have not reached their
// guard yet too, which no table can see. It reports false when /proc or
// the executable cannot be read.
func programProcesses() (int, bool) {
	var self syscall.Stat_t
	if syscall.Stat("/proc/self/exe", &self) != nil {
		return 0, false
	}
	dir, err := os.Open("/proc")
	if err != nil {
		return 0, false
	}
	defer dir.Close()
	n := 0
	for {
		names, err := dir.Readdirnames(512)
		for _, name := range names {
			if name[0] < '0' || name[0] > '9' {
				continue
			}
			var st syscall.Stat_t
			if syscall.Stat("/proc/"+name+"/exe", &st) == nil && st.Dev == self.Dev && st.Ino == self.Ino {
				n++
			}
		}
		if err != nil {
			return n, true
		}
	}
}
