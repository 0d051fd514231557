package worker

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Handle is a running worker process started by Start.
type Handle struct {
	worker *Worker
	proc   *os.Process
	grace  time.Duration

	lifeline     *os.File // write end; closing it asks the worker to stop
	lifelineOnce sync.Once

	done chan struct{}
	err  error // the exit error; set before done is closed
}

// Pid returns the worker's process id.
func (h *Handle) Pid() int { return h.proc.Pid }

// Done returns a channel that is closed when the worker has exited and been
// reaped. By then the worker can be started again.
func (h *Handle) Done() <-chan struct{} { return h.done }

// Wait waits for the worker to exit and returns its exit error: nil for
// exit status 0.
func (h *Handle) Wait() error {
	<-h.done
	return h.err
}

// Stop asks the worker to stop (it closes the lifeline and, on Unix, sends
// SIGTERM), waits up to grace for it to exit, then kills it (its whole
// process group on Unix) and reaps it. grace 0 means the Handle's grace
// (Options.Grace or the build default). Stop returns the exit error, like
// Wait; a worker that stopped on request returns nil.
func (h *Handle) Stop(grace time.Duration) error {
	if grace <= 0 {
		grace = h.grace
	}
	select {
	case <-h.done:
		return h.err
	default:
	}
	h.closeLifeline()
	requestStop(h.proc)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-h.done:
		return h.err
	case <-timer.C:
	}
	kill(h.proc)
	<-h.done
	return h.err
}

func (h *Handle) closeLifeline() {
	h.lifelineOnce.Do(func() { h.lifeline.Close() })
}

// exited records the result of the reaped worker. Its slot is freed before
// done is closed, so Start succeeds for anyone who has seen Done.
func (h *Handle) exited(err error) {
	h.closeLifeline()
	h.err = exitError(h.worker.name, err)
	h.worker.release()
	close(h.done)
}

// exitError adds the worker's name, and the meaning of the runtime's own
// exit codes, to an error from exec.Cmd.Wait.
func exitError(name string, err error) error {
	if err == nil {
		return nil
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if meaning := exitMeaning(exit.ExitCode()); meaning != "" {
			return fmt.Errorf("worker %q: %w (%s)", name, err, meaning)
		}
	}
	return fmt.Errorf("worker %q: %w", name, err)
}
