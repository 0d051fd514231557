package linuxpkg

import (
	"bytes"
	"crypto"
	"fmt"
	"io"
	"os"
	"slices"
	"time"
	"unicode"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// pgpSigner makes the OpenPGP signatures of debs and rpms in nfpm's place.
// nfpm's own carry the clock's time (nfpm v2.47.0 internal/sign/pgp.go),
// so the package changed on every build; these carry the packages' time,
// without go-crypto's random salt notation, so signing the same bytes
// again gives the same signature. That holds for RSA and EdDSA keys
// (GnuPG's defaults): ECDSA and DSA signatures, and those of v6 keys, are
// random by design.
type pgpSigner struct {
	entity *openpgp.Entity
	config *packet.Config
}

// armored is the deb's _gpgorigin: nfpm's default method, debsign, takes an
// armored detached signature.
func (s pgpSigner) armored(data io.Reader) ([]byte, error) {
	var sig bytes.Buffer
	err := openpgp.ArmoredDetachSign(&sig, s.entity, data, s.config)
	return sig.Bytes(), err
}

// detached is an rpm's header and package signature: binary, detached.
func (s pgpSigner) detached(data io.Reader) ([]byte, error) {
	var sig bytes.Buffer
	err := openpgp.DetachSign(&sig, s.entity, data, s.config)
	return sig.Bytes(), err
}

// newPGPSigner reads the secret key of g at path and unlocks, with pass, the
// key that signs. It picks the key as nfpm does: the one entity whose
// primary key can sign, and of it the newest signing key valid now. Every
// error is g's to fix, reported before any package is made.
func newPGPSigner(g config.GPG, path, pass string, mtime time.Time) (pgpSigner, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return pgpSigner{}, exitcode.Config(fmt.Errorf("sign.gpg.key_file: %w", err))
	}
	// An armored key is ASCII; a binary one is not (nfpm tells them apart
	// the same way).
	read := openpgp.ReadKeyRing
	if !slices.ContainsFunc(data, func(b byte) bool { return b > unicode.MaxASCII }) {
		read = openpgp.ReadArmoredKeyRing
	}
	keyring, err := read(bytes.NewReader(data))
	if err != nil {
		return pgpSigner{}, exitcode.Config(fmt.Errorf("sign.gpg.key_file: %s is not an OpenPGP key (%v); export one with gpg --armor --export-secret-keys KEY-ID", g.KeyFile, err))
	}
	var entities openpgp.EntityList
	for _, e := range keyring {
		if e.PrivateKey != nil && e.PrivateKey.CanSign() {
			entities = append(entities, e)
		}
	}
	switch len(entities) {
	case 0:
		return pgpSigner{}, exitcode.Config(fmt.Errorf("sign.gpg.key_file: %s holds no secret key, only public ones; export the secret key with gpg --armor --export-secret-keys KEY-ID", g.KeyFile))
	case 1:
	default:
		return pgpSigner{}, exitcode.Config(fmt.Errorf("sign.gpg.key_file: %s holds %d secret keys; export only the one that signs with gpg --armor --export-secret-keys KEY-ID", g.KeyFile, len(entities)))
	}
	e := entities[0]
	key, ok := e.SigningKeyById(time.Now(), 0)
	if !ok {
		return pgpSigner{}, exitcode.Config(fmt.Errorf("sign.gpg.key_file: %s has no key that may sign now (expired, revoked or not made to sign); extend it with gpg --quick-set-expire, or export another", g.KeyFile))
	}
	priv := key.PrivateKey
	if priv == nil || priv.Dummy() {
		return pgpSigner{}, exitcode.Config(fmt.Errorf("sign.gpg.key_file: %s lacks the secret part of its signing key; export it with gpg --armor --export-secret-keys %016X", g.KeyFile, key.PublicKey.KeyId))
	}
	if priv.Encrypted {
		switch {
		case g.PassphraseEnv == "":
			return pgpSigner{}, exitcode.Config(fmt.Errorf("sign.gpg.key_file: %s needs a passphrase; set sign.gpg.passphrase_env to the variable that holds it", g.KeyFile))
		case pass == "":
			return pgpSigner{}, exitcode.Config(fmt.Errorf("sign.gpg.passphrase_env: $%s is empty and %s needs a passphrase; export the key's passphrase in it", g.PassphraseEnv, g.KeyFile))
		}
		if err := priv.Decrypt([]byte(pass)); err != nil {
			return pgpSigner{}, exitcode.Config(fmt.Errorf("sign.gpg.passphrase_env: the passphrase in $%s does not unlock %s; export the key's passphrase in it", g.PassphraseEnv, g.KeyFile))
		}
	}

	// Verifiers refuse a signature older than its key: a key made after
	// the packages' time signs at the time it became valid, as fixed.
	at := mtime
	self, _ := e.PrimarySelfSignature() // not nil: the key can sign
	for _, t := range []time.Time{e.PrimaryKey.CreationTime, self.CreationTime, key.PublicKey.CreationTime, key.SelfSignature.CreationTime} {
		if t.After(at) {
			at = t
		}
	}
	// A key valid now and made by at is valid at at too, unless at is
	// later than now: a SOURCE_DATE_EPOCH past the key's expiry.
	if _, ok := e.SigningKeyById(at, key.PublicKey.KeyId); !ok {
		return pgpSigner{}, exitcode.Config(fmt.Errorf("sign.gpg.key_file: %s has expired by %s, the packages' time (SOURCE_DATE_EPOCH, else the commit time); extend it with gpg --quick-set-expire", g.KeyFile, at.UTC().Format(time.RFC3339)))
	}
	return pgpSigner{e, &packet.Config{
		SigningKeyId: key.PublicKey.KeyId,
		DefaultHash:  crypto.SHA256, // nfpm's
		Time:         func() time.Time { return at },
		// Left on, go-crypto adds a random salt to every signature.
		NonDeterministicSignaturesViaNotation: new(false),
	}}, nil
}
