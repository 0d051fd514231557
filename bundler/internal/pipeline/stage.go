package pipeline

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bundlekit/bundle/bundler/internal/config"
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
			s.bundleExe, err = r.stageAppBundle(s.bundle, exe)
			if err == nil && r.mac != nil {
				err = r.mac.SignBundle(ctx, filepath.Join(s.bundle, BundleName(r.p.Config)), macIdentifier(r.p.Config))
			}
		case packager.LayoutOf(f) == packager.PlainFolder && s.plain == "":
			s.plain, s.plainExe = filepath.Join(r.targetDir(t), "app"), filepath.Base(exe)
			if err = copyFile(exe, filepath.Join(s.plain, s.plainExe), 0o755); err == nil {
				err = stageFiles(r.p, s.plain)
			}
		}
		if err != nil {
			return staged{}, err
		}
	}
	return s, nil
}

// stageFiles copies the configured files into appDir, the frozen app
// folder that holds the executable. Symlinks inside the project (config
// checked that they stay inside) are copied as the files they point to,
// since the link target would not exist on the user's machine.
func stageFiles(p *config.Project, appDir string) error {
	for _, f := range p.Config.Files {
		dst := filepath.Join(appDir, filepath.FromSlash(f.Dst))
		if err := copyTree(p.Abs(f.Src), dst); err != nil {
			return fmt.Errorf("stage %s: %w", f.Src, err)
		}
	}
	return nil
}

func copyTree(src, dst string) error {
	info, err := os.Stat(src) // follows a symlink at src itself
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return copyFile(src, dst, info.Mode())
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := copyTree(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
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
