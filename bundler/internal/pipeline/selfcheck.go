package pipeline

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"sync"

	"github.com/bundlekit/bundle/bundler/internal/compile"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/osstep"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/selfexec"
)

// selfCheck looks for places where the app launches its own executable
// (the frozen-app fork bomb) while the targets compile. Each artifact is
// renamed into dist only once it has passed, so with strict a finding
// stops the build before anything reaches dist.
type selfCheck struct {
	done     chan struct{}
	err      error
	findings []selfexec.Finding

	mu       sync.Mutex
	compiled map[string]chan platform.Target // by GOOS: gets the first target of that OS compiled
}

// startSelfCheck analyses the app once per operating system among the jobs
// (files can be OS-specific) and reports each finding once, saying what it
// does at run time under the configured runtime.guard: a warning under
// refuse, which stops every such copy, and a note under chain (the runtime
// lets relaunches run and stops a naive one from multiplying), warn and off
// (the relaunch is intended). So with
// strict only refuse fails the build on a finding.
//
// An OS is analysed once a target of it has compiled, with that target's
// environment and the build's flags: its packages' export data, which the
// analysis reads, is then in the go build cache. Started with the compile,
// from a cold cache the analysis's `go list -export` would compile every
// package a second time beside go build. The analyses run one at a time,
// as each holds the syntax and types of all the app's packages.
//
// Without the runtime hook there is no guard for a finding to be about, so
// nothing is analysed.
func startSelfCheck(ctx context.Context, p *config.Project, jobs []osstep.Job, strict bool, emit func(Event)) *selfCheck {
	guard := p.Config.Runtime.Guard
	strict = strict && guard == "refuse"
	c := &selfCheck{done: make(chan struct{}), compiled: map[string]chan platform.Target{}}
	if !p.Config.Runtime.HookEnabled() {
		close(c.done)
		return c
	}
	for _, j := range jobs {
		if len(j.Parts) == 0 && c.compiled[j.Target.OS] == nil {
			c.compiled[j.Target.OS] = make(chan platform.Target, 1)
		}
	}
	oses := maps.Clone(c.compiled) // targetCompiled empties c.compiled
	go func() {
		defer close(c.done)
		var (
			mu       sync.Mutex
			wg       sync.WaitGroup
			one      = make(chan struct{}, 1) // the analysis running
			seen     = map[string]bool{}
			failures []string
		)
		for goos, ready := range oses {
			wg.Go(func() {
				var t platform.Target
				select {
				case t = <-ready:
				case <-ctx.Done():
					return // the build failed or was interrupted; its error says why
				}
				one <- struct{}{}
				req := compile.Request{Target: t, Build: p.Config.Build}
				found, err := selfexec.Find(ctx, selfexec.Options{Dir: p.Dir, Patterns: []string{p.Config.Main}, Env: req.Env(), BuildFlags: compile.PackageFlags(p.Config.Build)})
				// The analysis's syntax and types are garbage now. Collected
				// here, the next analysis starts from a small heap; else it
				// would pile onto them up to the collector's target, twice
				// the heap this one left (370 MB against 160 MB, GitHub CLI).
				runtime.GC()
				<-one
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if ctx.Err() == nil {
						failures = append(failures, fmt.Sprintf("%s: %v", goos, err))
					}
					return
				}
				for _, f := range found {
					if s := f.String(); !seen[s] {
						seen[s] = true
						c.findings = append(c.findings, f)
					}
				}
			})
		}
		wg.Wait()
		for _, f := range c.findings {
			msg, warning := f.Report(guard)
			kind := Noted
			if warning {
				kind = Warned
			}
			emit(Event{Kind: kind, Message: msg})
		}
		for _, f := range failures {
			emit(Event{Kind: Warned, Message: "could not check where the app launches its own executable: " + f})
		}
		switch {
		case strict && len(c.findings) > 0:
			c.err = fmt.Errorf("--strict: the app launches its own executable in %d place(s) listed above, which runtime.guard: refuse stops at run time; fix them, or remove the runtime.guard setting (chain: one relaunch runs, a chain stops) or set warn if the relaunch is intended", len(c.findings))
		case strict && len(failures) > 0:
			c.err = fmt.Errorf("--strict: could not check where the app launches its own executable: %s", failures[0])
		}
	}()
	return c
}

// targetCompiled tells the check that t's executable is built.
func (c *selfCheck) targetCompiled(t platform.Target) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ready := c.compiled[t.OS]; ready != nil {
		ready <- t
		delete(c.compiled, t.OS) // the first target of each OS starts its analysis
	}
}

// wait blocks until the check is done and returns its verdict.
func (c *selfCheck) wait(ctx context.Context) error {
	select {
	case <-c.done:
		return c.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
