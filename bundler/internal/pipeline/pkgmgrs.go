package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

// wantedManagers returns the package managers bundle.yaml asks for, each
// checked against what it needs of bundle.yaml before dist is touched.
func wantedManagers(p *config.Project, all []pkgmgr.Manager) ([]pkgmgr.Manager, error) {
	var wanted []pkgmgr.Manager
	for _, m := range all {
		if !m.Wanted(p.Config) {
			continue
		}
		if err := m.CheckConfig(p); err != nil {
			return nil, err
		}
		wanted = append(wanted, m)
	}
	return wanted, nil
}

// writeManifests writes each wanted package manager's manifest from the
// artifacts dist will list, all final by now. A manager whose artifacts
// this build does not make (one job of a split build) is left out, with
// a line saying so.
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
			r.emit(Event{Kind: Noted, Format: m.Name(), Message: fmt.Sprintf("package_managers.%s: no manifest: %v", m.Name(), err)})
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
