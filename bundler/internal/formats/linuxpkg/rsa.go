package linuxpkg

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // nolint:gosec // apk signs the SHA-1 of its control segment
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// newAPKSigner reads sign.apk's RSA key (PEM, PKCS#1 or PKCS#8, encrypted
// in the legacy PEM way when a passphrase is given, as nfpm and abuild
// read it) and returns the signer nfpm and the streamed apk both call: it
// reads the SHA-1 digest of the control segment and returns its RSA
// PKCS#1 v1.5 signature, which is the same bytes every time. nfpm's own
// key reading is internal to it, and the streamed apk must sign the
// control segment it rewrites; errors are reported before any package is
// made.
func newAPKSigner(path, pass string) (func(io.Reader) ([]byte, error), error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, exitcode.Config(fmt.Errorf("sign.apk.key_file: %w", err))
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, exitcode.Config(errors.New("sign.apk.key_file: not a PEM file; use the RSA private key abuild-keygen or openssl genrsa writes"))
	}
	der := block.Bytes
	encrypted := x509.IsEncryptedPEMBlock(block) //nolint:staticcheck // the legacy encryption abuild-keygen keys use
	if encrypted {
		if pass == "" {
			return nil, exitcode.Config(errors.New("sign.apk.passphrase_env: the key is encrypted; name the variable holding its passphrase"))
		}
		if der, err = x509.DecryptPEMBlock(block, []byte(pass)); err != nil { //nolint:staticcheck
			return nil, exitcode.Config(errors.New("sign.apk.passphrase_env: the passphrase does not decrypt sign.apk.key_file"))
		}
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(der)
	case "PRIVATE KEY":
		var k any
		if k, err = x509.ParsePKCS8PrivateKey(der); err == nil {
			var ok bool
			if key, ok = k.(*rsa.PrivateKey); !ok {
				err = errors.New("not an RSA key")
			}
		}
	default:
		err = fmt.Errorf("a %q block", block.Type)
	}
	switch {
	case err != nil && encrypted:
		// The legacy encryption's padding check lets about one wrong
		// passphrase in 256 through, to bytes that do not parse.
		return nil, exitcode.Config(errors.New("sign.apk.passphrase_env: the passphrase does not decrypt sign.apk.key_file"))
	case err != nil:
		return nil, exitcode.Config(fmt.Errorf("sign.apk.key_file: not an RSA private key (%v); apk signatures are RSA", err))
	}
	return func(r io.Reader) ([]byte, error) {
		digest, err := io.ReadAll(io.LimitReader(r, sha1.Size+1))
		if err != nil {
			return nil, err
		}
		if len(digest) != sha1.Size {
			return nil, fmt.Errorf("apk signature: a digest of %d bytes, want SHA-1's %d", len(digest), sha1.Size)
		}
		return rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA1, digest)
	}, nil
}
