package windows

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/authenticode"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/formats"
	"github.com/bundlekit/bundle/bundler/internal/osstep"
	"github.com/bundlekit/bundle/bundler/internal/proc"
	"github.com/bundlekit/bundle/bundler/internal/scratch"
	"github.com/bundlekit/bundle/bundler/internal/tool"
)

// PasswordFileEnv is the variable that tells `bundle sign-file` where to
// read the PFX password: the path of a descriptor its parent (makensis)
// inherited from the build, such as /dev/fd/3. The password itself stays
// out of every child's environment.
const PasswordFileEnv = "BUNDLE_SIGN_PASSWORD_FILE"

// signer signs and then verifies each file, against the PFX's own
// certificates and the system's (trust).
type signer struct {
	*authenticode.Signer
	trust   string
	command []string // `bundle sign-file …`: the same signing for a file a format makes inside its artifact
}

// passSecret readies tool, which runs s.command, to hand the password down
// to it (packager.Input.PassSignSecret).
func (s *signer) passSecret(tool *exec.Cmd) (done func(), err error) {
	path, done, err := proc.PassSecret(tool, []byte(s.Password))
	if err != nil {
		return nil, err
	}
	tool.Env = append(tool.Environ(), PasswordFileEnv+"="+path)
	return done, nil
}

// sign signs the file at path in place and checks the signature.
func (s *signer) sign(ctx context.Context, path string) error {
	if err := s.Sign(ctx, path); err != nil {
		return err
	}
	return authenticode.Verify(ctx, path, s.trust)
}

// newSigner returns the signer of sign.windows, or nil. It signs at the
// build's source time, so signed files are reproducible (unless a
// time-stamping server is used).
func newSigner(ctx context.Context, b osstep.Build) (*signer, error) {
	p := b.Project
	if p.Config.Sign.Windows == nil {
		return nil, nil
	}
	if _, err := tool.Find(authenticode.Tool, "sign.windows"); err != nil {
		return nil, err
	}
	s, err := authenticode.FromConfig(p.Dir, p.Config.Sign.Windows, p.Config.Name, p.Config.Homepage, os.LookupEnv)
	if err != nil || s == nil {
		return nil, err
	}
	mtime := b.MTime
	s.Time, s.Scratch = &mtime, b.Work
	trust, err := s.TrustFile(ctx, b.Work)
	if err != nil {
		return nil, err
	}
	self := b.Self
	if self == "" {
		if self, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("sign: %w", err)
		}
	}
	config, err := filepath.Abs(p.Path)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	command := []string{self, "sign-file", "--config", config, "--time", strconv.FormatInt(mtime.Unix(), 10)}
	return &signer{Signer: s, trust: trust, command: command}, nil
}

// SignFile signs one Windows program in place with the config's
// sign.windows at the given time and verifies it: `bundle sign-file`, which
// makensis runs on the uninstaller it embeds. The password is read from
// the file $BUNDLE_SIGN_PASSWORD_FILE names when it is set (a build passes
// it so), else from the variable sign.windows.password_env names.
func SignFile(ctx context.Context, configPath string, at time.Time, file string) error {
	p, err := config.Load(configPath, formats.Known())
	if err != nil {
		return err
	}
	ctx = proc.WithSecrets(ctx, p.Config.SecretEnv()...)
	lookup := os.LookupEnv
	if path, ok := os.LookupEnv(PasswordFileEnv); ok && p.Config.Sign.Windows != nil {
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("sign-file: $%s: %w", PasswordFileEnv, err)
		}
		name := p.Config.Sign.Windows.PasswordEnv
		lookup = func(v string) (string, bool) { return string(data), v == name }
	}
	s, err := authenticode.FromConfig(p.Dir, p.Config.Sign.Windows, p.Config.Name, p.Config.Homepage, lookup)
	if err != nil {
		return err
	}
	if s == nil {
		return fmt.Errorf("sign-file: %s has no sign.windows", configPath)
	}
	s.Time = &at
	work, remove, err := scratch.Dir("bundle-sign-")
	if err != nil {
		return err
	}
	defer remove()
	trust, err := s.TrustFile(ctx, work)
	if err != nil {
		return err
	}
	return (&signer{Signer: s, trust: trust}).sign(ctx, file)
}
