package build

import (
	"context"
	"fmt"
	"sync"

	"github.com/bundlekit/bundle/bundler/compile"
	"github.com/bundlekit/bundle/bundler/config"
	"github.com/bundlekit/bundle/bundler/selfexec"
)

// selfCheck looks for places where the app launches its own executable
// (the frozen-app fork bomb) while the targets compile. Packaging waits for
// it, so with strict a finding stops the build before anything reaches
// dist.
type selfCheck struct {
	done     chan struct{}
	err      error
	findings []selfexec.Finding
}

// startSelfCheck analyses the app once per operating system among the jobs
// (files can be OS-specific) and reports each finding once, saying what it
// does at run time under the configured runtime.guard: a warning under
// refuse, which stops every such copy, and a note under chain (the runtime
// stops quick chains), warn and off (the relaunch is intended). So with
// strict only refuse fails the build on a finding.
//
// Without the runtime hook there is no guard for a finding to be about, so
// nothing is analysed: that saves a `go list -export` of every package per
// operating system, seconds of a large app's build.
func startSelfCheck(ctx context.Context, p *config.Project, jobs []Job, strict bool, emit func(Event)) *selfCheck {
	guard := p.Config.Runtime.Guard
	strict = strict && guard == "refuse"
	c := &selfCheck{done: make(chan struct{})}
	if !p.Config.Runtime.HookEnabled() {
		close(c.done)
		return c
	}
	go func() {
		defer close(c.done)
		var (
			mu       sync.Mutex
			wg       sync.WaitGroup
			seen     = map[string]bool{}
			failures []string
		)
		oses := map[string]bool{}
		for _, j := range jobs {
			if oses[j.Target.OS] || len(j.Parts) > 0 {
				continue
			}
			oses[j.Target.OS] = true
			req := compile.Request{Target: j.Target, Build: p.Config.Build}
			flags := compile.PackageFlags(p.Config.Build)
			wg.Add(1)
			go func() {
				defer wg.Done()
				found, err := selfexec.Find(ctx, selfexec.Options{Dir: p.Dir, Patterns: []string{p.Config.Main}, Env: req.Env(), BuildFlags: flags})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failures = append(failures, fmt.Sprintf("%s: %v", j.Target.OS, err))
					return
				}
				for _, f := range found {
					if s := f.String(); !seen[s] {
						seen[s] = true
						c.findings = append(c.findings, f)
					}
				}
			}()
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

// wait blocks until the check is done and returns its verdict.
func (c *selfCheck) wait(ctx context.Context) error {
	select {
	case <-c.done:
		return c.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
