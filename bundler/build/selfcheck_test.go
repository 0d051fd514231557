package build

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bundlekit/bundle/bundler/config"
	"github.com/bundlekit/bundle/bundler/packager"
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
	jobs := []Job{{Target: packager.Target{OS: "linux", Arch: "amd64"}}}
	for _, tc := range []struct {
		hook  *bool
		notes int
	}{{nil, 1}, {&on, 1}, {&off, 0}} {
		p := &config.Project{Dir: dir, Config: config.Config{Main: ".", Runtime: config.Runtime{Hook: tc.hook, Guard: "refuse"}}}
		var events []Event
		c := startSelfCheck(t.Context(), p, jobs, true, func(e Event) { events = append(events, e) })
		err := c.wait(t.Context())
		if len(events) != tc.notes {
			t.Errorf("hook %v: events %+v, want %d", p.Config.Runtime.HookEnabled(), events, tc.notes)
		}
		if (err != nil) != (tc.notes > 0) { // --strict under refuse fails on the finding
			t.Errorf("hook %v: err %v", p.Config.Runtime.HookEnabled(), err)
		}
	}
}
