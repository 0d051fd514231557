// Package doctor reports which external programs a build needs, whether
// each is installed, its version, and how to install the missing ones.
package doctor

import (
	"context"
	"os/exec"
	"sort"

	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/tool"
)

// Go and Git are needed by every build: Go compiles, git supplies the
// version tag and the commit time when they are not given.
var (
	Go  = tool.Tool{Name: "Go", Command: "go", VersionArgs: []string{"version"}, Debian: "golang-go", Homebrew: "go", Windows: "winget install GoLang.Go"}
	Git = tool.Tool{Name: "Git", Command: "git", VersionArgs: []string{"--version"}, Debian: "git", Homebrew: "git", Windows: "winget install Git.Git"}
)

// Check is the state of one tool.
type Check struct {
	Tool     tool.Tool `json:"-"`
	Name     string    `json:"name"`
	Command  string    `json:"command"`
	NeededBy []string  `json:"needed_by"`
	Required bool      `json:"required"` // false: the build works without it
	Found    bool      `json:"found"`
	Path     string    `json:"path,omitempty"`
	Version  string    `json:"version,omitempty"`
	Install  string    `json:"install"`
}

// Run checks go, git, the tools of the given formats and the signing tools
// the config asks for.
func Run(ctx context.Context, formats []packager.Format, signing []tool.Tool) []Check {
	checks := []Check{
		{Tool: Go, NeededBy: []string{"compile"}, Required: true},
		{Tool: Git, NeededBy: []string{"version from tags", "commit time"}},
	}
	byCommand := map[string]int{}
	for _, f := range formats {
		for _, t := range f.Tools() {
			i, ok := byCommand[t.Command]
			if !ok {
				checks = append(checks, Check{Tool: t, Required: true})
				i = len(checks) - 1
				byCommand[t.Command] = i
			}
			checks[i].NeededBy = append(checks[i].NeededBy, f.Name())
		}
	}
	for _, t := range signing {
		checks = append(checks, Check{Tool: t, Required: true, NeededBy: []string{"signing"}})
	}
	for i := range checks {
		c := &checks[i]
		c.Name, c.Command, c.Install = c.Tool.Name, c.Tool.Command, c.Tool.Install()
		sort.Strings(c.NeededBy)
		if p, err := exec.LookPath(c.Tool.Command); err == nil {
			c.Found, c.Path = true, p
			c.Version = tool.Version(ctx, c.Tool, p)
		}
	}
	return checks
}

// Missing returns the required checks whose tool was not found.
func Missing(checks []Check) []Check {
	var out []Check
	for _, c := range checks {
		if c.Required && !c.Found {
			out = append(out, c)
		}
	}
	return out
}
