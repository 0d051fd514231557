package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

// splitManagers splits the --format filter into the artifact formats it
// names and the package managers it names, and returns the managers to
// write: those bundle.yaml asks for and, with a filter, that it names
// too, each checked against what it needs of bundle.yaml before dist is
// touched. A manager's manifest comes with the artifacts it lists, so a
// filter of managers alone is refused, as is one bundle.yaml does not ask
// for.
func splitManagers(p *config.Project, all []pkgmgr.Manager, filter []string) (formats []string, wanted []pkgmgr.Manager, err error) {
	named := map[string]bool{}
	for _, f := range filter {
		i := slices.IndexFunc(all, func(m pkgmgr.Manager) bool { return m.Name() == f })
		switch {
		case i < 0:
			formats = append(formats, f)
		case !all[i].Wanted(p.Config):
			return nil, nil, exitcode.Config(fmt.Errorf("--format %s: not in package_managers of %s; add %s: there", f, p.Path, f))
		default:
			named[f] = true
		}
	}
	if len(named) > 0 && len(formats) == 0 {
		return nil, nil, exitcode.Config(fmt.Errorf("--format %s: a package manager's manifest comes with the artifacts it lists; name their formats beside it, such as --format zip,%s", filter[0], filter[0]))
	}
	for _, m := range all {
		if !m.Wanted(p.Config) || (len(filter) > 0 && !named[m.Name()]) {
			continue
		}
		if err := m.CheckConfig(p); err != nil {
			return nil, nil, err
		}
		wanted = append(wanted, m)
	}
	return formats, wanted, nil
}

// writeManifests writes each wanted package manager's manifest from the
// artifacts dist will list, all final by now. A manager whose operating
// system this build makes nothing for (one job of a split build) is left
// out; one whose operating system has artifacts but none it lists is left
// out with a line saying so.
func (r *runner) writeManifests(ctx context.Context, managers []pkgmgr.Manager, all []artifact.Artifact) ([]artifact.Artifact, error) {
	if len(managers) == 0 {
		return nil, nil
	}
	base, err := pkgmgr.BaseURL(r.p.Config, r.v)
	if err != nil {
		return nil, err
	}
	in := pkgmgr.Input{Config: r.p.Config, Version: r.v, Artifacts: all, Base: base}
	var made []artifact.Artifact
	for _, m := range managers {
		files, err := m.Write(in)
		if errors.Is(err, pkgmgr.ErrNoArtifacts) {
			if slices.ContainsFunc(all, func(a artifact.Artifact) bool { return a.OS == m.OS() }) {
				r.emit(Event{Kind: Noted, Format: m.Name(), Message: fmt.Sprintf("package_managers.%s: no manifest: %v", m.Name(), err)})
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("package_managers.%s: %w", m.Name(), err)
		}
		for _, f := range files {
			size, sum, err := r.writeArtifact(ctx, f.Name, func(w io.Writer) error {
				_, err := w.Write(f.Data)
				return err
			})
			if err != nil {
				return nil, fmt.Errorf("package_managers.%s: %w", m.Name(), err)
			}
			a := artifact.Artifact{Path: f.Name, OS: f.OS, Arch: "all", Format: f.Format, Size: size, SHA256: sum}
			made = append(made, a)
			r.emit(Event{Kind: Packaged, Target: platform.Target{OS: f.OS, Arch: "all"}, Format: f.Format, Artifact: a})
		}
	}
	return made, nil
}

// withoutManifests leaves out an earlier build's manifests: a build
// writes its own, from every artifact it lists.
func withoutManifests(list []artifact.Artifact, all []pkgmgr.Manager) []artifact.Artifact {
	return slices.DeleteFunc(list, func(a artifact.Artifact) bool {
		return slices.ContainsFunc(all, func(m pkgmgr.Manager) bool { return slices.Contains(m.Formats(), a.Format) })
	})
}
