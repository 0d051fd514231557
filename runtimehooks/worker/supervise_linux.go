package worker

import (
	"os/exec"
	"runtime"
	"syscall"
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
