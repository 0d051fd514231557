package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Exit codes of the runtime. A worker whose Func returns nil or a
// context.Canceled error exits 0; any other error exits 1.
const (
	ExitRefused       = 77 // the guard refused to run main() again (see the package doc)
	ExitUnknownWorker = 78 // the assigned worker is not registered when Dispatch runs
	ExitStopIgnored   = 79 // the worker ran on past its grace period after a stop request
)

func exitMeaning(code int) string {
	switch code {
	case ExitRefused:
		return "the runtime guard refused to run main() again"
	case ExitUnknownWorker:
		return "the worker is not registered in the child"
	case ExitStopIgnored:
		return "the worker ignored a stop request past its grace period"
	}
	return ""
}

// Stop causes, reported by context.Cause on the worker's context. They wrap
// context.Canceled, so a Func that returns them exits 0.
var errLifelineClosed = fmt.Errorf("%w: the parent closed the lifeline or exited", context.Canceled)

func errSignalled(sig os.Signal) error {
	return fmt.Errorf("%w: received %v", context.Canceled, sig)
}

var dispatchOnce sync.Once

// Dispatch runs the assigned worker if this process is one, and then exits;
// otherwise it does nothing. The bundler calls it from a generated init
// function in package main. Programs that run under go run or go test call
// it first in main and TestMain as well. It is safe to call more than once.
func Dispatch() {
	if !IsWorker() {
		return
	}
	dispatchOnce.Do(func() { os.Exit(runAssigned()) })
}

// runAssigned runs this process's worker and returns the exit code.
func runAssigned() int {
	w := lookup(self.worker)
	if w == nil {
		report(fmt.Sprintf("bundle runtime: worker %q is not registered in this program; register it in a package-level variable (var w = worker.Register(%q, fn)) so it exists before Dispatch runs", self.worker, self.worker))
		return ExitUnknownWorker
	}
	stop := make(chan error, 2)
	if self.lifeline != "" {
		lifeline, err := openLifeline(self.lifeline)
		if err != nil {
			report(fmt.Sprintf("bundle runtime: worker %q runs without a lifeline: %v", w.name, err))
		} else {
			if lifelineCarriesGo {
				if err := awaitGo(lifeline); err != nil {
					return 0 // the parent is gone or stopped us before we began
				}
			}
			go watchLifeline(lifeline, stop)
		}
	}
	go forwardSignals(self.stopRequests, stop)
	return run(w, self.args, stop, self.grace)
}

// run calls w's Func, cancels its context on the first stop request, and
// gives it grace to return before giving up with ExitStopIgnored.
func run(w *Worker, args []string, stop <-chan error, grace time.Duration) int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	result := make(chan error, 1)
	go func() { result <- w.fn(ctx, args) }()

	select {
	case err := <-result:
		return exitCode(w.name, err)
	case cause := <-stop:
		cancel(cause)
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case err := <-result:
		return exitCode(w.name, err)
	case <-timer.C:
		report(fmt.Sprintf("bundle runtime: worker %q did not return within %v of its stop request; exiting with %d", w.name, grace, ExitStopIgnored))
		return ExitStopIgnored
	}
}

func exitCode(name string, err error) int {
	if err == nil || errors.Is(err, context.Canceled) {
		return 0
	}
	report(fmt.Sprintf("bundle runtime: worker %q failed: %v", name, err))
	return 1
}

// goByte is written by a Windows parent once the worker is in its job object.
const goByte = 'G'

// awaitGo blocks until the parent sends goByte on the lifeline.
func awaitGo(lifeline io.Reader) error {
	var b [1]byte
	if _, err := io.ReadFull(lifeline, b[:]); err != nil {
		return fmt.Errorf("wait for the go byte: %w", err)
	}
	if b[0] != goByte {
		return fmt.Errorf("wait for the go byte: got %q", b[0])
	}
	return nil
}

// watchLifeline reports a stop request when the lifeline reaches EOF or
// fails: either way the parent has closed its end or is gone.
func watchLifeline(lifeline io.ReadCloser, stop chan<- error) {
	defer lifeline.Close()
	io.Copy(io.Discard, lifeline)
	stop <- errLifelineClosed
}

// forwardSignals turns the first stop signal into a stop request.
func forwardSignals(signals <-chan os.Signal, stop chan<- error) {
	if signals == nil {
		return
	}
	stop <- errSignalled(<-signals)
}

// report prints a one-line diagnostic to stderr and, where stderr may not be
// visible (Windows GUI programs), also to a log file.
func report(line string) {
	fmt.Fprintln(os.Stderr, line)
	logDiagnostic(executable(), line)
}
