package pipeline

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/oses"
	"github.com/bundlekit/bundle/bundler/internal/osstep"
)

// SkipSteps are the values --skip takes: the parts of the operating
// systems' steps a build may leave out.
func SkipSteps() []string { return skipSteps(oses.All()) }

func skipSteps(steps []osstep.Step) []string {
	var names []string
	for _, s := range steps {
		names = append(names, s.Skips()...)
	}
	return names
}

// checkSkip refuses a --skip value that names no step.
func checkSkip(skip []string, steps []osstep.Step) error {
	names := skipSteps(steps)
	for _, s := range skip {
		if slices.Contains(names, s) {
			continue
		}
		hint := ""
		if near := config.Nearest(s, names); near != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", near)
		}
		return exitcode.Config(fmt.Errorf("--skip %s: no such step%s; steps: %s", s, hint, strings.Join(names, ", ")))
	}
	return nil
}
