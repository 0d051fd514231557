// Package tool finds the external programs that some formats need
// (makensis, wixl, …) and says how to install the ones that are missing.
package tool

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/proc"
)

// Tool is an external program bundle runs.
type Tool struct {
	Name        string   // what the user knows it as, e.g. "NSIS"
	Command     string   // the executable looked up on PATH, e.g. "makensis"
	VersionArgs []string // arguments that print its version, e.g. ["-VERSION"]
	Debian      string   // Debian/Ubuntu package
	Homebrew    string   // Homebrew formula, "" when there is none
	Windows     string   // how to get it on Windows, "" when there is none
}

// Install says how to install t on each platform that has it, in one line.
func (t Tool) Install() string {
	hints := []string{fmt.Sprintf("apt-get install %s (Debian/Ubuntu)", t.Debian)}
	if t.Homebrew != "" {
		hints = append(hints, fmt.Sprintf("brew install %s (macOS)", t.Homebrew))
	}
	if t.Windows != "" {
		hints = append(hints, t.Windows+" (Windows)")
	}
	return strings.Join(hints, ", ")
}

// Find returns the path of t's command, or an exit-code-3 error naming the
// tool, what needs it and how to install it.
func Find(t Tool, neededBy string) (string, error) {
	p, err := exec.LookPath(t.Command)
	if err != nil {
		return "", exitcode.Tool(fmt.Errorf("%s needs %s (%s), which is not on PATH; install %s: %s", neededBy, t.Name, t.Command, t.Name, t.Install()))
	}
	return p, nil
}

// Version runs t's version command and returns the first line it prints.
func Version(ctx context.Context, t Tool, path string) string {
	if len(t.VersionArgs) == 0 {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := proc.Command(ctx, path, t.VersionArgs...)
	cmd.Stdout, cmd.Stderr = &out, &out
	_ = cmd.Run() // some tools print their version and exit non-zero
	line, _, _ := strings.Cut(strings.TrimSpace(out.String()), "\n")
	return strings.TrimSpace(line)
}
