package pipeline

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bundlekit/bundle/bundler/internal/appfiles"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

// staged is a target's app laid out for its formats: the plain app folder
// (the executable and the configured files) and, for formats that ship a
// macOS .app bundle, that bundle; each is staged only when a format needs it.
type staged struct {
	plain, bundle       string // folders; "" when not staged
	plainExe, bundleExe string // the executable's path inside each
}

// forFormat returns the folder and executable f packages.
func (s staged) forFormat(f packager.Format) (appDir, exeRel string) {
	if packager.LayoutOf(f) == packager.MacAppBundle {
		return s.bundle, s.bundleExe
	}
	return s.plain, s.plainExe
}

// stage lays out the target's frozen app for its formats.
func (r *runner) stage(ctx context.Context, t platform.Target, job Job, exe string) (staged, error) {
	var s staged
	for _, f := range job.Formats {
		var err error
		switch {
		case packager.LayoutOf(f) == packager.MacAppBundle && s.bundle == "":
			s.bundle = filepath.Join(r.targetDir(t), "appbundle")
			s.bundleExe, err = r.stageAppBundle(ctx, s.bundle, exe)
			if err == nil && r.mac != nil {
				err = r.mac.SignBundle(ctx, filepath.Join(s.bundle, BundleName(r.p.Config)), macIdentifier(r.p.Config))
			}
		case packager.LayoutOf(f) == packager.PlainFolder && s.plain == "":
			s.plain, s.plainExe = filepath.Join(r.targetDir(t), "app"), filepath.Base(exe)
			if err = copyFile(exe, filepath.Join(s.plain, s.plainExe), 0o755); err == nil {
				err = r.stageFiles(ctx, s.plain)
			}
		}
		if err != nil {
			return staged{}, err
		}
	}
	return s, nil
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

func copyFile(src, dst string, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	perm := fs.FileMode(0o644)
	if mode&0o111 != 0 {
		perm = 0o755
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
