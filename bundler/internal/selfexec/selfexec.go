// Package selfexec finds, at build time, where an app launches its own executable.
//
// A frozen app that starts a helper by running os.Executable() again re-runs main in the child,
// which starts another child: a fork bomb. bundle injects a runtime guard against that, and this
// package warns before the build ships, so the developer can switch to a registered worker or
// tell the guard that the relaunch is intended.
package selfexec

import (
	"cmp"
	"context"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Finding is one place where the app launches its own executable, or a dependency known to do so.
type Finding struct {
	Pos    token.Position // file:line:col of the call, relative to Options.Dir when inside it; zero for a dependency
	Call   string         // the launching call, e.g. "exec.Command" or "exec.Cmd.Path"; for a dependency, its imported package path
	Via    string         // how the program path was obtained: "os.Executable()", "os.Args[0]", "\"/proc/self/exe\"", or the known library's path
	Module string         // for a dependency: the module path providing it
	Does   string         // for a dependency: how it starts the app again
	Chain  string         // for a dependency: what the default guard does with the copies it starts
	Fix    string         // one sentence saying what to do instead
}

func (f Finding) String() string {
	if !f.Pos.IsValid() {
		return fmt.Sprintf("%s: known self-relaunch library: %s; %s", f.Call, f.Does, f.Fix)
	}
	return fmt.Sprintf("%s: %s runs the app's own executable (%s); %s", f.Pos, f.Call, f.Via, f.Fix)
}

// Options say which packages make up the app and how to build them.
type Options struct {
	Dir        string   // directory to load from, usually the app's module root; "" is the current directory
	Patterns   []string // package patterns of the app's main packages; none means "."
	Env        []string // added to the current environment, e.g. GOOS, GOARCH, GOFLAGS
	BuildFlags []string // passed to the go command, e.g. "-tags=gui"
}

// Find reports where the app's own code launches its executable, sorted by file, line and column,
// followed by the known self-relaunch libraries among its dependencies, sorted by module.
func Find(ctx context.Context, o Options) ([]Finding, error) {
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("selfexec: %w", err)
	}
	// Checked here because the go command, started in a missing directory, fails with a misleading message.
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("selfexec: %w", err)
	}
	patterns := o.Patterns
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	graph, err := load(ctx, dir, patterns, o)
	if err != nil {
		return nil, fmt.Errorf("selfexec: load %s: %w", strings.Join(patterns, " "), err)
	}

	inCode := findInCode(graph.app, graph.fset)
	for i := range inCode {
		inCode[i].Pos.Filename = relativeTo(dir, inCode[i].Pos.Filename)
	}
	slices.SortFunc(inCode, func(a, b Finding) int {
		return cmp.Or(
			strings.Compare(a.Pos.Filename, b.Pos.Filename),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column))
	})
	return append(inCode, findLibraries(graph.deps)...), nil
}

// relativeTo shortens file names inside dir, so warnings read like the compiler's.
func relativeTo(dir, file string) string {
	rel, err := filepath.Rel(dir, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return file
	}
	return rel
}
