package worker

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
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
// may hold it (sudo's, and that of the monitor it forks, which shares it).
// The walk reads the parent's environment, and goes past the parent, only
// when the parent is a privilege launcher (a setuid program: sudo, doas,
// su), which may keep the starter's environment and stand between a copy
// and its starter with a monitor process of its own: each step costs a
// read of /proc, some 10 microseconds, at every start of a program. Only
// processes this one may inspect are read (the same user, or any as root).
// "" when none has one.
//
// It also reports whether the parent is init or a service manager (see
// isOrphan), from what the walk reads of the parent anyway.
func ancestorRecord(ppid int) (record string, orphan bool) {
	orphan = ppid <= 1
	pid := ppid
	for level := 0; level < maxWalk && pid > 1; level++ {
		dir := "/proc/" + strconv.Itoa(pid) + "/"
		if record, _ := readRecordFile(dir+"fd/"+strconv.Itoa(tokenFD), maxRecordSize); record != "" {
			return record, false
		}
		if level == 0 {
			var st syscall.Stat_t
			if syscall.Stat(dir+"exe", &st) != nil || st.Mode&syscall.S_ISUID == 0 {
				return "", isServiceManager(dir)
			}
			if env, ok := readRecordFile(dir+"environ", 1<<20); ok {
				if record := environRecord(env); record != "" {
					return record, false
				}
			}
		}
		pid = parentOf(pid)
	}
	return "", orphan
}

// ownStart returns this process's start id for its record: for a root (a
// process that inherited no record) a token that tells it apart from any
// other process, written below 0 so that others check its pid alone; for a
// copy, its start time, which others compare with /proc (a copy's life
// decides a restart's wait). The token spares every root a read of
// /proc/self/stat; a root's liveness only counts towards the depth limit.
func ownStart(root bool) int64 {
	if root {
		return -time.Now().UnixNano()
	}
	return processStart(os.Getpid())
}

// rootsJoinTable is false on Linux: a root (a process no copy of its
// program started) has no other member of its lineage to count, and the
// program's processes are counted in /proc (programProcesses), which sees
// more than the table; skipping the table keeps every start cheaper.
const rootsJoinTable = false

// isServiceManager reports whether the process whose /proc folder is dir
// runs systemd: the session's subreaper, which takes the orphans of a
// desktop session, and the manager that starts services (systemd-run).
func isServiceManager(dir string) bool {
	var buf [256]byte
	n, err := syscall.Readlink(dir+"exe", buf[:])
	return err == nil && n > 0 && strings.HasSuffix(string(buf[:n]), "/systemd")
}

// environRecord returns the value of envLineage in an environment block
// (NUL-separated KEY=VALUE), or "".
func environRecord(env string) string {
	key := envLineage + "="
	for i := 0; i < len(env); {
		end := strings.IndexByte(env[i:], 0)
		if end < 0 {
			end = len(env) - i
		}
		if kv := env[i : i+end]; strings.HasPrefix(kv, key) {
			return kv[len(key):]
		}
		i += end + 1
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
