package build

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/bundlekit/bundle/bundler/authenticode"
	"github.com/bundlekit/bundle/bundler/config"
	"github.com/bundlekit/bundle/bundler/packager"
	"github.com/bundlekit/bundle/bundler/tool"
)

// signedInstallers are the Windows formats whose file is itself an
// Authenticode-signed program or package. (zip only carries the signed
// executable.)
var signedInstallers = map[string]bool{"nsis": true, "msi": true}

// windowsSigner returns the signer of sign.windows when the build has a
// Windows target, or nil. It signs at the build's source time, so signed
// files are reproducible (unless a time-stamping server is used).
func windowsSigner(p *config.Project, pl Plan, mtime time.Time) (*authenticode.Signer, error) {
	if p.Config.Sign.Windows == nil {
		return nil, nil
	}
	windows := false
	for _, j := range pl.Jobs {
		windows = windows || j.Target.OS == "windows"
	}
	if !windows {
		return nil, nil
	}
	if _, err := tool.Find(authenticode.Tool, "sign.windows"); err != nil {
		return nil, err
	}
	s, err := authenticode.FromConfig(p.Dir, p.Config.Sign.Windows, p.Config.Name, p.Config.Homepage)
	if err != nil || s == nil {
		return s, err
	}
	s.Time = &mtime
	return s, nil
}

// signedInstaller makes the installer into a file, signs it, and then
// copies it to the artifact, so the checksums cover the signed bytes.
func (r *runner) signedInstaller(ctx context.Context, f packager.Format, in packager.Input) func(io.Writer) error {
	return func(w io.Writer) error {
		path := filepath.Join(in.WorkDir, "unsigned-"+f.FileName(in))
		out, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := f.Package(ctx, in, out); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
		if err := r.signer.Sign(ctx, path); err != nil {
			return err
		}
		signed, err := os.Open(path)
		if err != nil {
			return err
		}
		defer signed.Close()
		_, err = io.Copy(w, signed)
		return err
	}
}
