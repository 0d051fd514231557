package pipeline

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/formats"
	"github.com/bundlekit/bundle/bundler/internal/osstep"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgrs"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/bundler/internal/tool"
)

// Skip is a format left out because its tool is missing and the user asked
// to skip what cannot be made here.
type Skip struct {
	Format string
	Reason string // one line naming the tool and how to install it
}

// Plan lists the jobs of a build.
type Plan struct {
	Jobs  []osstep.Job
	Skips []Skip
}

// plan turns the config and the --target/--format filters into jobs. A
// format whose tool is missing is an error (exit 3) unless skipUnavailable,
// which drops it and records why.
func plan(p *config.Project, registry []packager.Format, steps []osstep.Step, onlyTargets, onlyFormats []string, skipUnavailable bool) (Plan, error) {
	c := p.Config
	for _, t := range onlyTargets {
		if !slices.Contains(c.Targets, t) {
			return Plan{}, exitcode.Config(fmt.Errorf("--target %s: not in targets of %s%s; pick one of %s, or add it there", t, p.Path, didYouMean(t, c.Targets), strings.Join(c.Targets, ", ")))
		}
	}
	for _, f := range onlyFormats {
		if f == "sbom" && c.WantsSBOM() {
			continue
		}
		if !configuredAnywhere(c, f) {
			names := formatNames(registry)
			if slices.Contains(names, f) {
				return Plan{}, exitcode.Config(fmt.Errorf("--format %s: not in formats of %s; add it under formats: for an OS it supports", f, p.Path))
			}
			return Plan{}, exitcode.Config(fmt.Errorf("--format %s: not a format%s; use one of %s", f, didYouMean(f, names), strings.Join(names, ", ")))
		}
	}

	var out Plan
	var err error
	unavailable := map[string]string{} // format -> why
	for _, ts := range c.Targets {
		if len(onlyTargets) > 0 && !slices.Contains(onlyTargets, ts) {
			continue
		}
		tg, _ := platform.Parse(ts) // config validation guarantees the form
		goos, arch := tg.OS, tg.Arch
		job := osstep.Job{Target: tg}
		for _, name := range c.Formats.ForOS(goos) {
			if len(onlyFormats) > 0 && !slices.Contains(onlyFormats, name) {
				continue
			}
			f, _ := formats.Find(registry, name) // config validation guarantees it exists
			if l, ok := f.(packager.ArchLimited); ok {
				if ok, why := l.SupportsArch(arch); !ok {
					if slices.Contains(onlyFormats, name) && len(onlyTargets) == 1 && onlyTargets[0] == ts {
						return Plan{}, exitcode.Config(fmt.Errorf("--format %s --target %s: %s", name, ts, why))
					}
					out.Skips = append(out.Skips, Skip{Format: name, Reason: fmt.Sprintf("skipped %s for %s: %s", name, ts, why)})
					continue
				}
			}
			if why, err := missingTool(f); err != nil {
				if !skipUnavailable {
					return Plan{}, err
				}
				unavailable[name] = why
				continue
			}
			job.Formats = append(job.Formats, f)
		}
		if len(job.Formats) > 0 {
			out.Jobs = append(out.Jobs, job)
		}
	}
	for _, s := range steps {
		if out.Jobs, err = s.Plan(p, out.Jobs); err != nil {
			return Plan{}, err
		}
	}
	for _, f := range registry {
		if why, ok := unavailable[f.Name()]; ok {
			out.Skips = append(out.Skips, Skip{Format: f.Name(), Reason: why})
		}
	}
	if len(onlyFormats) == 1 && onlyFormats[0] == "sbom" {
		return Plan{}, exitcode.Config(fmt.Errorf("--format sbom: SBOMs come with the artifacts of a target; name a format beside it, such as --format tar.gz,sbom"))
	}
	if len(out.Jobs) == 0 && len(out.Skips) == 0 {
		return Plan{}, exitcode.Config(fmt.Errorf("%s: nothing to build: no target has a format; check targets:, formats:, --target and --format", p.Path))
	}
	return out, nil
}

// checkFilters refuses a --target or --format value that holds whitespace
// or an invisible character. The CLI does not trim them: such a value is a
// quoting slip in a script or CI variable ("linux/amd64 windows/amd64" for
// two targets, a pasted tab), which silent trimming would hide or guess at.
func checkFilters(targets, formats []string) error {
	for _, f := range []struct {
		flag, what string
		values     []string
	}{
		{"--target", "GOOS/GOARCH", targets},
		{"--format", "the format's name", formats},
	} {
		for _, v := range f.values {
			i := strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) })
			if i < 0 {
				continue
			}
			r, _ := utf8.DecodeRuneInString(v[i:])
			what, fix := "an invisible character", "without it"
			switch {
			case r == '\t':
				what, fix = "a tab", "without spaces"
			case unicode.Is(unicode.Zs, r):
				what, fix = "a space", "without spaces"
			case unicode.IsSpace(r):
				what, fix = "a line break", "without spaces"
			case unicode.IsControl(r):
				what = "a control character"
			}
			return exitcode.Config(fmt.Errorf("%s %q: holds %s (U+%04X); pass %s %s", f.flag, v, what, r, f.what, fix))
		}
	}
	return nil
}

func missingTool(f packager.Format) (string, error) {
	for _, t := range f.Tools() {
		if _, err := tool.Find(t, f.Name()); err != nil {
			return fmt.Sprintf("skipped %s: %s is not installed; install it with %s", f.Name(), t.Command, t.Install()), err
		}
	}
	return "", nil
}

func configuredAnywhere(c config.Config, format string) bool {
	for _, goos := range platform.OSes() {
		if slices.Contains(c.Formats.ForOS(goos), format) {
			return true
		}
	}
	return false
}

// didYouMean names the configured value closest to a mistyped one, or "".
func didYouMean(s string, candidates []string) string {
	if near := config.Nearest(s, candidates); near != "" {
		return fmt.Sprintf(" (did you mean %q?)", near)
	}
	return ""
}

// FormatNames lists every name --format accepts: each format's, sbom,
// and each package manager's.
func FormatNames() []string {
	names := formatNames(formats.All())
	for _, m := range pkgmgrs.All() {
		names = append(names, m.Name())
	}
	return names
}

func formatNames(registry []packager.Format) []string {
	var names []string
	for _, f := range registry {
		names = append(names, f.Name())
	}
	return append(names, "sbom")
}
