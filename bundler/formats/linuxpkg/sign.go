package linuxpkg

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/goreleaser/nfpm/v2"

	"github.com/bundlekit/bundle/bundler/exitcode"
	"github.com/bundlekit/bundle/bundler/packager"
)

// sign sets up nfpm's OpenPGP signing of deb and rpm packages from
// sign.gpg. The passphrase comes from the environment variable the config
// names and never appears in output.
func sign(in packager.Input, format string, info *nfpm.Info) error {
	g := in.Config.Sign.GPG
	if g == nil || (format != "deb" && format != "rpm") {
		return nil
	}
	key := filepath.Join(in.Dir, filepath.FromSlash(g.KeyFile))
	if _, err := os.Stat(key); err != nil {
		return exitcode.Config(fmt.Errorf("sign.gpg.key_file: %s does not exist; fix the path (relative to bundle.yaml)", g.KeyFile))
	}
	var pass string
	if g.PassphraseEnv != "" {
		var ok bool
		if pass, ok = os.LookupEnv(g.PassphraseEnv); !ok {
			return exitcode.Config(fmt.Errorf("sign.gpg.passphrase_env: $%s is not set; export it with the key's passphrase", g.PassphraseEnv))
		}
	}
	sig := nfpm.PackageSignature{KeyFile: key, KeyPassphrase: pass}
	switch format {
	case "deb":
		info.Deb.Signature.PackageSignature = sig
	case "rpm":
		info.RPM.Signature.PackageSignature = sig
	}
	return nil
}
