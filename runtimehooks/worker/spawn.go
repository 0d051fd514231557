package worker

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// pipeDrainTimeout bounds how long Wait waits for the worker's output pipes
// after the worker has exited: a grandchild that inherited them must not
// keep the Handle live forever.
const pipeDrainTimeout = time.Second

// spawn starts w in a child process of the running executable and returns
// its Handle. The caller holds w's slot.
func spawn(w *Worker, o Options) (*Handle, error) {
	exe := executable()
	if exe == "" {
		return nil, fmt.Errorf("worker %q: cannot locate the running executable", w.name)
	}
	grace := o.Grace
	if grace <= 0 {
		grace = parseGrace(buildGrace)
	}
	// The lifeline: the child holds the read end, only this process holds
	// the write end. EOF in the child means "stop": Stop closed it, or this
	// process died and the kernel closed it.
	lifeR, lifeW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("worker %q: create lifeline: %w", w.name, err)
	}
	cmd := exec.Command(exe, o.Args...)
	cmd.Dir = o.Dir
	cmd.Stdin = o.Stdin
	cmd.Stdout = writerOr(o.Stdout, os.Stdout)
	cmd.Stderr = writerOr(o.Stderr, os.Stderr)
	cmd.WaitDelay = pipeDrainTimeout
	lifelineRef, err := passLifeline(cmd, lifeR)
	if err != nil {
		lifeR.Close()
		lifeW.Close()
		return nil, fmt.Errorf("worker %q: pass lifeline: %w", w.name, err)
	}
	graceMS := grace.Milliseconds()
	if graceMS < 1 {
		graceMS = 1
	}
	// Later entries win in exec.Cmd.Env, so the protocol variables cannot be
	// overridden by the parent's environment or by o.Env.
	cmd.Env = append(append(os.Environ(), o.Env...),
		envWorker+"="+w.name,
		envLifeline+"="+lifelineRef,
		envGraceMS+"="+strconv.FormatInt(graceMS, 10),
	)

	h := &Handle{worker: w, grace: grace, lifeline: lifeW, done: make(chan struct{})}
	err = launch(cmd, h.exited)
	lifeR.Close() // the child has its own copy now
	if err != nil {
		lifeW.Close()
		return nil, fmt.Errorf("worker %q: start: %w", w.name, err)
	}
	h.proc = cmd.Process
	afterStart(h.proc, lifeW)
	return h, nil
}

// writerOr returns w, or def when w is nil. A nil *os.File (a Windows GUI
// program has no standard handles) becomes a nil io.Writer, which exec
// connects to the null device.
func writerOr(w io.Writer, def *os.File) io.Writer {
	if w != nil {
		return w
	}
	if def != nil {
		return def
	}
	return nil
}
