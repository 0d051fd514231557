package linuxpkg

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/goreleaser/nfpm/v2"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/packager"
)

// sign sets up the signing of the package: deb and rpm with the OpenPGP
// key of sign.gpg, signed by pgpSigner at the packages' time; apk with the
// RSA key of sign.apk, signed by newAPKSigner. Passphrases come from the
// environment variables the config names and never appear in output.
func sign(in packager.Input, format Format, info *nfpm.Info) error {
	s := in.Config.Sign
	switch {
	case s.GPG != nil && (format == Deb || format == RPM):
		key, err := signature(in, "sign.gpg", s.GPG.KeyFile, s.GPG.PassphraseEnv)
		if err != nil {
			return err
		}
		signer, err := newPGPSigner(*s.GPG, key.KeyFile, key.KeyPassphrase, in.MTime)
		if err != nil {
			return err
		}
		if format == Deb {
			info.Deb.Signature.SignFn = signer.armored
		} else {
			info.RPM.Signature.SignFn = signer.detached
		}
	case s.APK != nil && format == APK:
		key, err := signature(in, "sign.apk", s.APK.KeyFile, s.APK.PassphraseEnv)
		if err != nil {
			return err
		}
		sign, err := newAPKSigner(key.KeyFile, key.KeyPassphrase)
		if err != nil {
			return err
		}
		info.APK.Signature.SignFn = sign
		info.APK.Signature.KeyName = s.APK.KeyName
	}
	return nil
}

func signature(in packager.Input, field, keyFile, passphraseEnv string) (nfpm.PackageSignature, error) {
	key := filepath.Join(in.Dir, filepath.FromSlash(keyFile))
	if _, err := os.Stat(key); err != nil {
		return nfpm.PackageSignature{}, exitcode.Config(fmt.Errorf("%s.key_file: %s does not exist; fix the path (relative to bundle.yaml)", field, keyFile))
	}
	var pass string
	if passphraseEnv != "" {
		var ok bool
		if pass, ok = os.LookupEnv(passphraseEnv); !ok {
			return nfpm.PackageSignature{}, exitcode.Config(fmt.Errorf("%s.passphrase_env: $%s is not set; export it with the key's passphrase", field, passphraseEnv))
		}
	}
	return nfpm.PackageSignature{KeyFile: key, KeyPassphrase: pass}, nil
}
