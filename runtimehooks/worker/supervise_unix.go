//go:build unix

package worker

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
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
