package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/osstep"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

// TestSelfCheckOnlyWithTheHook: an app that relaunches itself gets a note
// about what its guard does when the hook is compiled in, and no analysis
// at all without the hook, which has no guard to speak of.
func TestSelfCheckOnlyWithTheHook(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/relaunch\n\ngo 1.22\n",
		"main.go": `package main

import (
	"context"
	"os"
	"os/exec"
)

func main() { exec.Command(os.Args[0]).Run() }
`,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	off, on := false, true
	jobs := []osstep.Job{{Target: platform.Target{OS: "linux", Arch: "amd64"}}}
	for _, tc := range []struct {
		hook  *bool
		notes int
	}{{nil, 1}, {&on, 1}, {&off, 0}} {
		p := &config.Project{Dir: dir, Config: config.Config{Main: ".", Runtime: config.Runtime{Hook: tc.hook, Guard: "refuse"}}}
		var events []Event
		c := startSelfCheck(t.Context(), p, jobs, true, func(e Event) { events = append(events, e) })
		c.targetCompiled(jobs[0].Target)
		err := c.wait(t.Context())
		if len(events) != tc.notes {
			t.Errorf("hook %v: events %+v, want %d", p.Config.Runtime.HookEnabled(), events, tc.notes)
		}
		if (err != nil) != (tc.notes > 0) { // --strict under refuse fails on the finding
			t.Errorf("hook %v: err %v", p.Config.Runtime.HookEnabled(), err)
		}
	}
}

// TestSelfCheckWaitsForACompile: the analysis of an OS starts once one of
// its targets has compiled, and a build that fails before that ends it
// without a word.
func TestSelfCheckWaitsForACompile(t *testing.T) {
	p := &config.Project{Dir: t.TempDir(), Config: config.Config{Main: ".", Runtime: config.Runtime{Guard: "refuse"}}}
	jobs := []osstep.Job{{Target: platform.Target{OS: "linux", Arch: "amd64"}}}
	ctx, cancel := context.WithCancel(t.Context())
	var events []Event
	c := startSelfCheck(ctx, p, jobs, true, func(e Event) { events = append(events, e) })
	select {
	case <-c.done:
		t.Fatal("the check finished before any target compiled")
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	<-c.done
	if c.err != nil || len(events) > 0 {
		t.Errorf("after the build failed: err %v, events %+v", c.err, events)
	}
}
