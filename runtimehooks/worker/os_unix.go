//go:build unix

// Every Unix: the lifeline, the lineage descriptor, the parent pid and the
// refusal report.

package worker

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

// lifelineFD is where the worker finds the lifeline: ExtraFiles[0].
const lifelineFD = 3

// lifelineCarriesGo is false on Unix: Pdeathsig and the process group are set
// up by fork itself, so there is nothing for the worker to wait for.
const lifelineCarriesGo = false

// passLifeline hands the read end of the lifeline to the child as fd 3 and
// puts the child in its own process group, so Stop can kill the worker
// together with anything it started.
func passLifeline(cmd *exec.Cmd, r *os.File) (string, error) {
	cmd.ExtraFiles = []*os.File{r}
	cmd.SysProcAttr = sysProcAttr()
	return strconv.Itoa(lifelineFD), nil
}

func afterStart(*os.Process, *os.File) {}

// requestStop sends SIGTERM in addition to closing the lifeline. Sent
// before the worker has subscribed to it (within its first milliseconds),
// SIGTERM ends it at once, which is what was asked anyway.
func requestStop(p *os.Process) {
	p.Signal(syscall.SIGTERM)
}

// kill kills the worker's process group (its pgid is its pid).
func kill(p *os.Process) {
	if err := syscall.Kill(-p.Pid, syscall.SIGKILL); err != nil {
		p.Kill()
	}
}

// openLifeline opens the inherited read end of the lifeline.
func openLifeline(ref string) (*os.File, error) {
	fd, err := strconv.Atoi(ref)
	if err != nil || fd < lifelineFD {
		return nil, fmt.Errorf("invalid %s=%q", envLifeline, ref)
	}
	syscall.CloseOnExec(fd) // the worker's own children must not inherit it
	f := os.NewFile(uintptr(fd), "bundle-rt-lifeline")
	if _, err := f.Stat(); err != nil {
		return nil, fmt.Errorf("lifeline fd %d: %w", fd, err)
	}
	return f, nil
}

// subscribeStopSignals makes SIGTERM and SIGINT stop requests, and ignores
// SIGPIPE so that a worker whose stdout leads to a dead parent still gets
// to run its clean-up instead of being killed by its next write.
func subscribeStopSignals() chan os.Signal {
	signal.Ignore(syscall.SIGPIPE)
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, os.Interrupt)
	return c
}

// tokenFD is the descriptor that carries the lineage record from a hooked
// process to every process it starts, directly or not. It is not
// close-on-exec, so fork and exec (os/exec, shells, env, double forks,
// syscall.Exec) pass it on; a high number keeps it out of the way of
// descriptors programs pass on purpose (0-2, ExtraFiles from 3, systemd's
// sockets from 3).
const tokenFD = 97

// readTokenFD returns the record at tokenFD, and whether this process may
// put its own record there: when the descriptor is closed or holds a record.
// Anything else at tokenFD belongs to some other program and is left alone.
func readTokenFD() (record string, free bool) {
	var st syscall.Stat_t
	if err := syscall.Fstat(tokenFD, &st); err != nil {
		return "", err == syscall.EBADF
	}
	if int(st.Mode)&syscall.S_IFMT != syscall.S_IFREG || st.Size <= 0 || st.Size > maxRecordSize {
		return "", false
	}
	buf := make([]byte, st.Size)
	n, err := syscall.Pread(tokenFD, buf, 0)
	if err != nil {
		return "", false
	}
	// A record of any version may be replaced.
	record = string(buf[:n])
	return record, strings.HasPrefix(record, lineageKind)
}

// installToken puts record at tokenFD in a new unlinked file, replacing the
// inherited one. Best effort: without it, the environment still carries the
// record. Raw system calls: os.File would register the file with the
// runtime poller, which costs more than the rest together.
func installToken(record string) {
	fd, err := newTokenFD()
	if err != nil {
		return
	}
	defer syscall.Close(fd)
	if fd == tokenFD {
		return
	}
	data := []byte(record + "\n")
	for len(data) > 0 {
		n, err := syscall.Write(fd, data)
		if err != nil {
			return
		}
		data = data[n:]
	}
	dupTo(fd, tokenFD) // the copy is not close-on-exec
}

// tempTokenFD returns a descriptor of an unlinked temporary file.
func tempTokenFD() (int, error) {
	f, err := os.CreateTemp("", "bundle-rt-lineage-*")
	if err != nil {
		return -1, err
	}
	defer f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return -1, err
	}
	return syscall.Dup(int(f.Fd()))
}

// aliveByPid reports whether a process with e's pid exists. A reused pid
// looks alive too, which errs on the side of counting one generation too
// many.
func aliveByPid(e lineageEntry) bool {
	err := syscall.Kill(e.pid, 0)
	return err == nil || err == syscall.EPERM
}

func parentPID() int { return os.Getppid() }

// logDiagnostic does nothing: outside Windows, stderr is where programs report.
func logDiagnostic(exe, line string) {}
