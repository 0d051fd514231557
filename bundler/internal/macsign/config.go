package macsign

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// Signer signs a build's darwin executables and apps.
type Signer struct {
	Identity     *Identity
	Entitlements *Entitlements
	Hardened     bool
	Time         time.Time    // the signing time (see Options.Time)
	Timestamper  *Timestamper // see Options.Timestamper
	Warning      string       // what the user should know before shipping; "" if nothing
}

// FromConfig loads sign.macos: the .p12 (its password from the
// environment), the entitlements, and the checks that the certificate is
// the one configured and valid now. Every problem is a configuration error
// naming the field.
func FromConfig(dir string, c *config.MacOSSign, lookup func(string) (string, bool), now time.Time) (*Signer, error) {
	if c == nil {
		return nil, nil
	}
	p12, err := config.ReadSmallFile(dir, c.P12File)
	if err != nil {
		return nil, exitcode.Config(fmt.Errorf("sign.macos.p12_file: %w", err))
	}
	password := ""
	if c.PasswordEnv != "" {
		var ok bool
		if password, ok = lookup(c.PasswordEnv); !ok {
			return nil, exitcode.Config(fmt.Errorf("sign.macos.password_env: $%s is not set; export it with the .p12 password", c.PasswordEnv))
		}
	}
	id, err := LoadIdentity(p12, password, now)
	switch {
	case errors.Is(err, ErrPassword) && c.PasswordEnv == "":
		return nil, exitcode.Config(fmt.Errorf("sign.macos.p12_file: %s needs a password; set sign.macos.password_env to the variable that holds it", c.P12File))
	case errors.Is(err, ErrPassword):
		return nil, exitcode.Config(fmt.Errorf("sign.macos.password_env: the password in $%s does not open %s", c.PasswordEnv, c.P12File))
	case err != nil:
		return nil, exitcode.Config(fmt.Errorf("sign.macos.p12_file: %s: %w", c.P12File, err))
	}
	if c.Identity != "" && !strings.Contains(id.Cert.Subject.CommonName, c.Identity) && id.TeamID() != c.Identity {
		return nil, exitcode.Config(fmt.Errorf("sign.macos.identity: %s holds %q, not %q; export the right certificate or fix identity", c.P12File, id.Cert.Subject.CommonName, c.Identity))
	}
	s := &Signer{Identity: id, Hardened: c.Hardened()}
	if c.Entitlements != "" {
		data, err := config.ReadSmallFile(dir, c.Entitlements)
		if err != nil {
			return nil, exitcode.Config(fmt.Errorf("sign.macos.entitlements: %w", err))
		}
		if s.Entitlements, err = ParseEntitlements(data); err != nil {
			return nil, exitcode.Config(fmt.Errorf("sign.macos.entitlements: %s is %w", c.Entitlements, err))
		}
	}
	if !id.DeveloperID() {
		s.Warning = fmt.Sprintf("sign.macos: %q is not a Developer ID Application certificate; Gatekeeper will reject apps signed with it", id.Cert.Subject.CommonName)
	}
	return s, nil
}

// SignFile signs the executable at path in place, through a temporary file
// and a rename, so an interrupted build never leaves half a signature.
func (s *Signer) SignFile(ctx context.Context, path, identifier string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	signed, err := SignExecutable(ctx, data, s.Options(identifier))
	if err != nil {
		return fmt.Errorf("sign %s: %w", filepath.Base(path), err)
	}
	return replaceFile(path, signed, 0o755)
}

// SignBundle signs the .app at path in place.
func (s *Signer) SignBundle(ctx context.Context, path, identifier string) error {
	return SignApp(ctx, path, s.Options(identifier))
}

// Options are the signing options for code signed as identifier.
func (s *Signer) Options(identifier string) Options {
	return Options{Identity: s.Identity, Identifier: identifier, Hardened: s.Hardened, Entitlements: s.Entitlements, Time: s.Time, Timestamper: s.Timestamper}
}

func replaceFile(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".sign-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
