// Package verify runs a built program and watches its whole process tree,
// the automated form of "start the app, count its processes after ten
// seconds": it samples the tree at a fixed interval, remembers the largest
// count, and stops the tree at the end so nothing outlives the check.
package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/proc"
)

// Options say what to run and how to watch it.
type Options struct {
	Path     string        // the program, for this machine's OS
	Args     []string      // its arguments
	Watch    time.Duration // how long to watch; the check ends early when the tree is gone
	Interval time.Duration // time between samples
	Grace    time.Duration // after Watch: how long the program gets to exit after SIGTERM before the tree is killed
	Stdout   io.Writer
	Stderr   io.Writer
}

// Report is what the watch saw.
type Report struct {
	MaxProcs int           // the most processes alive at once, the program included
	Distinct int           // processes seen over the whole watch
	Samples  int           // samples taken
	Elapsed  time.Duration // from start to the end of the watch
	Exited   bool          // the program ended by itself during the watch
	ExitCode int           // its exit code when Exited (-1 when a signal ended it)
	Killed   int           // processes still alive after the grace period, killed
}

// ErrUnsupported is returned on systems where the process tree cannot be
// read.
var ErrUnsupported = errors.New("verify samples process trees through /proc, which only Linux has; run it on Linux")

// Run starts o.Path and watches its tree until o.Watch has passed or the
// tree is gone, then stops what is left: SIGTERM to the program, then after
// o.Grace SIGKILL to every process still in the tree.
func Run(ctx context.Context, o Options) (Report, error) {
	if !supported() {
		return Report{}, ErrUnsupported
	}
	if o.Interval <= 0 {
		o.Interval = 50 * time.Millisecond
	}
	release, err := adoptOrphans()
	if err != nil {
		return Report{}, err
	}
	defer release()

	cmd := proc.Command(ctx, o.Path, o.Args...)
	cmd.Stdout, cmd.Stderr, cmd.Stdin = o.Stdout, o.Stderr, nil
	// The watch stops the tree itself (killTree), by parentage rather than
	// process group, since the app may start groups of its own.
	// Children outliving the app may hold its output open; Wait waits for
	// them as before, since the watch reports on them.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Kill) }
	cmd.WaitDelay = 0
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Report{}, fmt.Errorf("verify: start %s: %w", o.Path, err)
	}
	root := cmd.Process.Pid
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	var r Report
	seen := map[int]bool{}
	sample := func() int {
		pids := tree(root)
		for _, p := range pids {
			seen[p] = true
		}
		r.Samples++
		r.MaxProcs = max(r.MaxProcs, len(pids))
		return len(pids)
	}
	tick := time.NewTicker(o.Interval)
	defer tick.Stop()
	deadline := time.After(o.Watch)
	var exitErr error
	rootDone := false
watch:
	for {
		sample()
		select {
		case exitErr = <-waited:
			rootDone = true
			r.Exited = true
			// Children may outlive the program; keep watching them.
			if sample() == 0 {
				break watch
			}
		case <-deadline:
			break watch
		case <-ctx.Done():
			break watch
		case <-tick.C:
		}
		if rootDone && len(tree(root)) == 0 {
			break
		}
	}
	r.Elapsed = time.Since(start)

	if !rootDone {
		cmd.Process.Signal(sigterm)
		select {
		case exitErr = <-waited:
			rootDone = true
		case <-time.After(o.Grace):
		}
	}
	r.Killed = killTree(root)
	if !rootDone {
		exitErr = <-waited
	}
	reapOrphans(root)
	r.Distinct = len(seen)
	r.ExitCode = exitCode(exitErr)
	return r, nil
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
