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
	"sync/atomic"
	"time"

	"github.com/bundlekit/bundle/runtimehooks/worker"
)

// DefaultProbation is how long a new version has to call Healthy before
// Restart rolls it back.
const DefaultProbation = 30 * time.Second

// maxAttempts is how many starts a new version gets without calling
// Healthy when its watcher is gone (a kill or a power cut took it): at the
// next, the previous version is put back before main runs.
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
// on, and the version is not offered again to this install. When ctx ends
// first, the new version is stopped and rolled back too, but may be
// offered again.
func (ap *Applied) Restart(ctx context.Context, o RestartOptions, args ...string) error {
	if ap.lock == nil || ap.j == nil {
		return errors.New("update: Restart after Close, or of an update not applied")
	}
	defer ap.Close()
	if o.Probation <= 0 {
		o.Probation = DefaultProbation
	}
	if o.Grace <= 0 {
		o.Grace = 5 * time.Second
	}
	p, j := ap.p, ap.j
	j.State = stateProbation
	if err := p.writeJournal(j); err != nil {
		return ap.fail(j, false, fmt.Sprintf("its probation could not be recorded: %v", err))
	}
	cmd, err := worker.Command(args...)
	if err != nil {
		return ap.fail(j, true, fmt.Sprintf("could not start it: %v", err))
	}
	cmd.Path = filepath.Join(p.root, p.exe)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = o.Stdin, o.Stdout, o.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return ap.fail(j, true, fmt.Sprintf("could not start it: %v", err))
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := start.Add(o.Probation)
	for {
		select {
		case err := <-exited:
			if p.healthy(j.To) {
				return finish(p) // healthy, then done: its own business
			}
			return ap.fail(j, true, fmt.Sprintf("it exited (%v) before it reported healthy", exitText(err)))
		case <-ctx.Done():
			if p.healthy(j.To) {
				return finish(p)
			}
			stop(cmd, exited, o.Grace)
			return ap.fail(j, false, "the update was cancelled during its probation")
		case now := <-tick.C:
			if p.healthy(j.To) || (o.HealthyAfter > 0 && now.Sub(start) >= o.HealthyAfter) {
				return finish(p)
			}
			if now.After(deadline) {
				stop(cmd, exited, o.Grace)
				return ap.fail(j, true, fmt.Sprintf("it did not report healthy within %s", o.Probation))
			}
		}
	}
}

// fail rolls the update back and says why; marked says the new version
// itself failed, so it is not offered again.
func (ap *Applied) fail(j *journal, marked bool, why string) error {
	j.Marked = marked
	if err := rollBack(ap.p, j); err != nil {
		return fmt.Errorf("update: %s %s, and putting %s back failed (the next start tries again): %v", j.To, why, j.From, err)
	}
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

func (p place) healthyPath() string { return filepath.Join(p.work, "healthy") }

// healthy reports whether version called Healthy.
func (p place) healthy(version string) bool {
	data, err := os.ReadFile(p.healthyPath())
	return err == nil && string(data) == version
}

// probation is the running process's own probation, when it is a new
// version whose watcher is gone: it holds the update's lock until Healthy.
var probation struct {
	sync.Mutex
	lock *os.File
}

// Healthy tells the update that the new version works: call it once the
// app has done what proves it (opened its window, answered a request, or,
// for a command-line program, finished a command). It does nothing in a
// version that is not on probation.
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
	if probation.lock != nil { // no watcher: this process ends the update
		err := finish(p)
		probation.lock.Close()
		probation.lock = nil
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
			p.kind = j.Kind
			return p, j, true
		}
	}
	return place{}, nil, false
}

func init() { recoverAtStart() }

// RunningVersion is the version bundle build compiled into the app, or,
// in a build without it (go run, go build), the Config.Version last given
// to New.
func RunningVersion() string {
	if builtVersion != "" {
		return builtVersion
	}
	if v := configuredVersion.Load(); v != nil {
		return *v
	}
	return ""
}

var configuredVersion atomic.Pointer[string]

// recoverAtStart finishes, before main runs, what a kill or a power cut
// interrupted: a rollback under way is completed; an apply under way is
// taken as done when the new executable is in place and rolled back
// otherwise; a new version whose watcher is gone counts its starts, and
// after maxAttempts without Healthy the previous version is put back and
// started in its place. Without a journal it costs a path lookup and a
// file read that fails.
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
	if p.healthy(j.To) && j.State != stateRollingBack {
		finish(p)
		lock.Close()
		return
	}
	isNew := p.rootIsNew(j)
	switch {
	case j.State == stateRollingBack, !isNew:
		// A rollback to finish, or an apply cut before the new executable
		// was in place: the previous version is what runs.
		err := rollBack(p, j)
		lock.Close()
		if err == nil && isNew {
			reexec(exe) // this process is the version just taken away
		}
	default: // the new version is in place: applying (cut after its executable), applied, probation
		j.Attempts++
		j.State = stateProbation
		if j.Attempts > maxAttempts {
			j.Marked = true
			err := rollBack(p, j)
			lock.Close()
			if err == nil {
				reexec(exe)
			}
			return
		}
		if p.writeJournal(j) != nil {
			lock.Close()
			return
		}
		probation.Lock()
		probation.lock = lock
		probation.Unlock()
	}
}
