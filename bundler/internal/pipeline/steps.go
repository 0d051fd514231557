package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/bundlekit/bundle/bundler/internal/osstep"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

// prepareSteps readies the step of every operating system the plan has a
// target of, in the order steps lists them, and returns the function that
// closes them, which the build calls however it ends.
func (r *runner) prepareSteps(ctx context.Context, steps []osstep.Step, jobs []osstep.Job, o Options) (closeAll func(), err error) {
	r.steps = map[string][]osstep.Run{}
	var opened []osstep.Run
	closeAll = func() {
		for _, run := range slices.Backward(opened) {
			run.Close()
		}
	}
	for _, s := range steps {
		if !slices.ContainsFunc(jobs, func(j osstep.Job) bool { return j.Target.OS == s.OS() }) {
			continue
		}
		run, err := s.Prepare(ctx, osstep.Build{
			Project: r.p, Version: r.v, Jobs: jobs, MTime: r.mtime, Work: r.work, Icons: r.icons,
			Skip: o.Skip, Notary: o.Notary, Self: o.Bundle,
			Report: r.report, TargetDir: r.targetDir, StageFiles: r.stageFiles,
		})
		if err != nil {
			closeAll()
			return nil, err
		}
		opened = append(opened, run)
		r.steps[s.OS()] = append(r.steps[s.OS()], run)
	}
	return closeAll, nil
}

// report passes a step's message on as an event. Messages from Prepare
// wait until the build's header is out (started).
func (r *runner) report(rep osstep.Report) {
	kind := map[osstep.ReportKind]EventKind{osstep.Noted: Noted, osstep.Warned: Warned, osstep.Notarizing: Notarizing}[rep.Kind]
	e := Event{Kind: kind, Target: rep.Target, Message: rep.Message, Elapsed: rep.Elapsed}
	r.mu.Lock()
	if !r.started {
		r.pending = append(r.pending, e)
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	r.emit(e)
}

// start emits the messages steps gave before the build's header, and
// from now on passes them on as they come.
func (r *runner) start() {
	r.mu.Lock()
	pending := r.pending
	r.started, r.pending = true, nil
	r.mu.Unlock()
	for _, e := range pending {
		r.emit(e)
	}
}

// each runs do for every step of t's operating system, in order, and
// stops at the first error.
func (r *runner) each(t platform.Target, do func(osstep.Run) error) error {
	for _, run := range r.steps[t.OS] {
		if err := do(run); err != nil {
			return err
		}
	}
	return nil
}

// combine makes the executable of a job of parts with the step of its
// operating system that planned it.
func (r *runner) combine(ctx context.Context, job osstep.Job) (string, error) {
	var parts []string
	for _, p := range job.Parts {
		parts = append(parts, r.exePath(p))
	}
	out := r.exePath(job.Target)
	runs := r.steps[job.Target.OS]
	if len(runs) == 0 {
		return "", fmt.Errorf("build %s: no step of %s combines its parts", job.Target, job.Target.OS)
	}
	if err := runs[0].Combine(ctx, job, parts, out); err != nil {
		return "", err
	}
	return out, nil
}

// exePath is where a target's executable is built.
func (r *runner) exePath(t platform.Target) string {
	return filepath.Join(r.targetDir(t), "bin", platform.ExeName(t.OS, r.p.Config.Binary))
}
