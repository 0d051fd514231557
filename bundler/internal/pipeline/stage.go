package pipeline

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bundlekit/bundle/bundler/internal/appfiles"
	"github.com/bundlekit/bundle/bundler/internal/linktree"
	"github.com/bundlekit/bundle/bundler/internal/osstep"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

// stage lays out the target's frozen app for its formats, once per
// layout: the plain folder (the executable and the configured files) here,
// any other (the macOS .app bundle) by a step of the target's OS. The
// executable is copied, not linked: a step may sign a staged copy in
// place.
func (r *runner) stage(ctx context.Context, t platform.Target, job osstep.Job, exe string) (osstep.Staged, error) {
	app := osstep.Staged{}
	for _, f := range job.Formats {
		layout := packager.LayoutOf(f)
		if _, done := app[layout]; done {
			continue
		}
		var folder osstep.Folder
		var err error
		if layout == packager.PlainFolder {
			folder = osstep.Folder{Dir: filepath.Join(r.targetDir(t), "app"), Exe: filepath.Base(exe)}
			if err = linktree.Copy(exe, filepath.Join(folder.Dir, folder.Exe)); err == nil {
				err = r.stageFiles(ctx, folder.Dir)
			}
		} else {
			folder, err = r.stageLayout(ctx, t, layout, exe)
		}
		if err != nil {
			return nil, err
		}
		app[layout] = folder
	}
	return app, nil
}

// stageLayout has the step of t's OS that knows layout stage it.
func (r *runner) stageLayout(ctx context.Context, t platform.Target, layout packager.Layout, exe string) (osstep.Folder, error) {
	dir := filepath.Join(r.targetDir(t), fmt.Sprintf("layout-%d", layout))
	for _, s := range r.steps[t.OS] {
		rel, ok, err := s.Stage(ctx, t, layout, dir, exe)
		if ok || err != nil {
			return osstep.Folder{Dir: dir, Exe: rel}, err
		}
	}
	return osstep.Folder{}, fmt.Errorf("no step of %s stages layout %d", t.OS, layout)
}

// stageFiles copies the configured files into appDir, the frozen app
// folder that holds the executable, as appfiles.Copy does: re-checked as
// they are copied, never from outside the project, never dist, bundle's
// work folder or a version control folder. Each file left out is reported
// once per build, not once per target.
func (r *runner) stageFiles(ctx context.Context, appDir string) error {
	var skip []fs.FileInfo
	for _, dir := range []string{r.dist, r.work} {
		if info, err := os.Stat(dir); err == nil {
			skip = append(skip, info)
		}
	}
	for i, f := range r.p.Config.Files {
		err := appfiles.Copy(ctx, r.p.Dir, f.Src, filepath.Join(appDir, filepath.FromSlash(f.Dst)), appfiles.Options{
			Field: fmt.Sprintf("files[%d].src", i),
			Skip:  skip,
			LeftOut: func(rel, why string) {
				r.mu.Lock()
				defer r.mu.Unlock()
				if r.leftOut[rel] {
					return
				}
				if r.leftOut == nil {
					r.leftOut = map[string]bool{}
				}
				r.leftOut[rel] = true
				r.emit(Event{Kind: Noted, Message: fmt.Sprintf("files[%d]: left out %s (%s), which bundle never packages", i, rel, why)})
			},
		})
		if err != nil {
			return err
		}
	}
	return nil
}
