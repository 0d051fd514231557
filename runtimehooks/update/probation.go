package update

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/bundlekit/bundle/runtimehooks/worker"
)

// DefaultProbation is how long a new version has to call Healthy before it
// is rolled back.
const DefaultProbation = 30 * time.Second

// maxAttempts is how many starts a new version gets on probation without
// its watcher (which a kill or a power cut took away) before the previous
// version is put back at start-up.
const maxAttempts = 3

// RestartOptions tune the probation Restart runs.
type RestartOptions struct {
	Probation    time.Duration // default DefaultProbation
	HealthyAfter time.Duration // when not 0, staying up this long counts as healthy, as calling Healthy does
	Grace        time.Duration // between terminate and kill of a new version that failed; default 5 s
	Stdin        io.Reader
	Stdout       io.Writer
	Stderr       io.Writer
}

// Restart starts the new version (through package worker's Command, the
// guard's path for an intended relaunch) with args, and watches it: once
// it calls Healthy (or stays up HealthyAfter), the backup goes and Restart
// returns nil, and the caller should exit, leaving the new version
// running. When it exits first, hangs, or the probation ends, it is
// stopped (terminate, grace, kill), the previous version is put back and
// Restart returns ErrRolledBack: the caller, that previous version, goes
// on. The version rolled back is not offered again.
func (ap *Applied) Restart(ctx context.Context, o RestartOptions, args ...string) error {
	defer ap.Close()
	if o.Probation <= 0 {
		o.Probation = DefaultProbation
	}
	if o.Grace <= 0 {
		o.Grace = 5 * time.Second
	}
	p := ap.p
	j, err := p.readJournal()
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	start := time.Now()
	j.State, j.Deadline = stateProbation, start.Add(o.Probation)
	if err := p.writeJournal(j); err != nil {
		return err
	}
	cmd, err := worker.Command(args...)
	if err != nil {
		return ap.fail(j, fmt.Sprintf("could not start it: %v", err))
	}
	cmd.Path = filepath.Join(p.root, p.exe)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = o.Stdin, o.Stdout, o.Stderr
	if err := cmd.Start(); err != nil {
		return ap.fail(j, fmt.Sprintf("could not start it: %v", err))
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			if p.healthy(j.To) {
				return finish(p) // healthy, then done: its own business
			}
			return ap.fail(j, fmt.Sprintf("it exited (%v) before it reported healthy", exitText(err)))
		case <-ctx.Done():
			stop(cmd, exited, o.Grace)
			return ap.fail(j, "the update was cancelled during its probation")
		case now := <-tick.C:
			if p.healthy(j.To) || (o.HealthyAfter > 0 && now.Sub(start) >= o.HealthyAfter) {
				return finish(p)
			}
			if now.After(j.Deadline) {
				stop(cmd, exited, o.Grace)
				return ap.fail(j, fmt.Sprintf("it did not report healthy within %s", o.Probation))
			}
		}
	}
}

// fail rolls the update back and says why.
func (ap *Applied) fail(j *journal, why string) error {
	if err := rollback(ap.p, j); err != nil {
		return fmt.Errorf("update: %s %s, and putting %s back failed: %v", j.To, why, j.From, err)
	}
	markRolledBack(ap.p, j.To)
	finish(ap.p)
	return fmt.Errorf("update: %w: %s %s; %s is back", ErrRolledBack, j.To, why, j.From)
}

// stop ends a new version that failed: terminate, wait grace, kill.
func stop(cmd *exec.Cmd, exited <-chan error, grace time.Duration) {
	terminate(cmd.Process)
	select {
	case <-exited:
	case <-time.After(grace):
		cmd.Process.Kill()
		<-exited
	}
}

func exitText(err error) string {
	if err == nil {
		return "exit code 0"
	}
	return err.Error()
}

// markRolledBack records version as rolled back on this install, so
// Check does not offer it again.
func markRolledBack(p place, version string) {
	path := filepath.Join(p.work, "rolled-back")
	data, _ := os.ReadFile(path)
	writeAtomic(path, append(data, version+"\n"...))
}

func rolledBack(p place, version string) bool {
	data, err := os.ReadFile(filepath.Join(p.work, "rolled-back"))
	return err == nil && strings.Contains("\n"+string(data), "\n"+version+"\n")
}

// probation is the running process's own probation, when it is a new
// version started without a watcher.
var probation struct {
	sync.Mutex
	p     place
	lock  *os.File
	timer *time.Timer
}

// Healthy tells the update that the new version works: call it once the
// app has done what proves it (opened its window, answered a request).
// It does nothing in a version that is not on probation, and costs a
// stat then.
func Healthy() error {
	probation.Lock()
	defer probation.Unlock()
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	p, j, ok := findJournal(exe)
	if !ok || RunningVersion() == "" || j.To != RunningVersion() || (j.State != stateProbation && j.State != stateApplied) {
		return nil
	}
	// A file of its own, not a change of the journal: Windows refuses to
	// replace a file another process (the watcher) has open.
	if err := os.WriteFile(p.healthyPath(), []byte(j.To), 0o644); err != nil {
		return err
	}
	if probation.timer != nil { // no watcher: this process cleans up
		probation.timer.Stop()
		probation.timer = nil
		err := finish(p)
		probation.lock.Close()
		return err
	}
	return nil
}

// findJournal finds the update journal of the install of exe, if any.
func findJournal(exe string) (place, *journal, bool) {
	kinds := []Kind{Portable}
	if strings.Contains(exe, ".app"+string(filepath.Separator)+"Contents") {
		kinds = []Kind{App, Portable}
	}
	for _, k := range kinds {
		p, err := locate(exe, k)
		if err != nil {
			continue
		}
		if j, err := p.readJournal(); err == nil {
			return p, j, true
		}
	}
	return place{}, nil, false
}

func init() { recoverAtStart() }

// recoverAtStart finishes what a kill or a power cut interrupted, before
// main runs: an apply half done is rolled back (the old version is still
// the one at the executable's path) or taken as applied (the new one is);
// a new version whose watcher is gone gets its probation here, at most
// maxAttempts starts. It costs one stat when there is no update journal.
func recoverAtStart() {
	exe, err := os.Executable()
	if err != nil {
		return
	}
	p, j, ok := findJournal(exe)
	if !ok {
		return
	}
	lock, err := tryLock(filepath.Join(p.work, "lock"))
	if err != nil {
		return // an update or its watcher is alive and in charge
	}
	running := RunningVersion()
	switch {
	case p.healthy(j.To):
		finish(p)
	case running == "" || (running != j.To && running != j.From):
		// Not a build this journal knows: leave it alone.
	case j.State == stateApplying && running == j.From:
		rollback(p, j)
		finish(p)
	default: // applying with the new version in place, applied, probation
		j.Attempts++
		j.State, j.Deadline = stateProbation, time.Now().Add(DefaultProbation)
		if j.Attempts > maxAttempts || p.writeJournal(j) != nil {
			rollback(p, j)
			markRolledBack(p, j.To)
			finish(p)
			lock.Close()
			reexec(exe)
			return
		}
		probation.Lock()
		probation.p, probation.lock = p, lock
		probation.timer = time.AfterFunc(DefaultProbation, func() {
			probation.Lock()
			defer probation.Unlock()
			if probation.timer == nil {
				return
			}
			rollback(p, j)
			markRolledBack(p, j.To)
			finish(p)
			lock.Close()
			reexec(exe)
		})
		probation.Unlock()
		return
	}
	lock.Close()
}

var errNoExchange = errors.New("this system cannot exchange two folders atomically")

// RunningVersion is the version bundle build compiled into the app, ""
// in a build without it (go run, go test).
func RunningVersion() string { return builtVersion }

func (p place) healthyPath() string { return filepath.Join(p.work, "healthy") }

// healthy reports whether version called Healthy.
func (p place) healthy(version string) bool {
	data, err := os.ReadFile(p.healthyPath())
	return err == nil && string(data) == version
}
