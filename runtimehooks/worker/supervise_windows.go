package worker

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
)

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
