package feed

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"aead.dev/minisign"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	updatefeed "github.com/bundlekit/bundle/runtimehooks/update/feed"
)

// Signer signs feeds with the update key.
type Signer struct {
	key     minisign.PrivateKey
	Public  string                 // the key's public half, as public_keys lists it
	Trusted []updatefeed.PublicKey // update.public_keys, which feeds read back must verify with
}

// SignerFromConfig reads the secret key from the variable update.key_env
// names, decrypting it with update.password_env's when it is encrypted,
// and checks that update.public_keys lists its public half: an app built
// to trust other keys could never verify this build's feed.
func SignerFromConfig(u *config.Update, getenv func(string) string) (*Signer, error) {
	text := strings.TrimSpace(getenv(u.KeyEnv))
	if text == "" {
		return nil, exitcode.Config(fmt.Errorf("update.key_env: $%s is empty; set it to the secret key that bundle update keygen wrote (the whole file)", u.KeyEnv))
	}
	var key minisign.PrivateKey
	if minisign.IsEncrypted([]byte(text)) {
		if u.PasswordEnv == "" {
			return nil, exitcode.Config(fmt.Errorf("update.key_env: the key in $%s is encrypted; name the variable holding its password in update.password_env", u.KeyEnv))
		}
		password := getenv(u.PasswordEnv)
		if password == "" {
			return nil, exitcode.Config(fmt.Errorf("update.password_env: $%s is empty; set it to the password of the key in $%s", u.PasswordEnv, u.KeyEnv))
		}
		k, err := minisign.DecryptKey(password, []byte(text))
		if err != nil {
			return nil, exitcode.Config(fmt.Errorf("update.password_env: the password in $%s does not decrypt the key in $%s", u.PasswordEnv, u.KeyEnv))
		}
		key = k
	} else if err := key.UnmarshalText([]byte(text)); err != nil {
		// The library's error may quote the text it read: a secret.
		return nil, exitcode.Config(fmt.Errorf("update.key_env: $%s does not hold a minisign secret key; set it to the file bundle update keygen wrote", u.KeyEnv))
	}
	pub, err := publicLine(key)
	if err != nil {
		return nil, err
	}
	trusted := make([]updatefeed.PublicKey, 0, len(u.PublicKeys))
	for _, k := range u.PublicKeys {
		pk, err := updatefeed.ParsePublicKey(k)
		if err != nil {
			return nil, exitcode.Config(fmt.Errorf("update.public_keys: %v", err))
		}
		trusted = append(trusted, pk)
	}
	found := false
	for _, k := range u.PublicKeys {
		found = found || k == pub
	}
	if !found {
		return nil, exitcode.Config(fmt.Errorf("update.public_keys does not list %s, the public key of the secret key in $%s; add it, or an app built now could not verify this feed", pub, u.KeyEnv))
	}
	return &Signer{key: key, Public: pub, Trusted: trusted}, nil
}

// Sign returns the minisign signature of data: Ed25519 over the file
// itself ("Ed", which minisign -V verifies and the standard library can
// check in the app), with a trusted comment naming the file and time.
func (s *Signer) Sign(name string, released int64, data []byte) []byte {
	trusted := "timestamp:" + strconv.FormatInt(released, 10) + "\tfile:" + name
	untrusted := "signature from bundle update key " + fmt.Sprintf("%016X", s.key.ID())
	return minisign.SignWithComments(s.key, data, trusted, untrusted)
}

// GenerateKey makes a key pair: the secret key file's text (encrypted when
// password is not empty) and the public key file's text.
func GenerateKey(password string) (secret, public []byte, err error) {
	pub, key, err := minisign.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("update keygen: %w", err)
	}
	if password != "" {
		secret, err = minisign.EncryptKey(password, key)
	} else {
		secret, err = key.MarshalText()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("update keygen: %w", err)
	}
	public, err = pub.MarshalText()
	if err != nil {
		return nil, nil, fmt.Errorf("update keygen: %w", err)
	}
	return append(secret, '\n'), append(public, '\n'), nil
}

func publicLine(key minisign.PrivateKey) (string, error) {
	pub, ok := key.Public().(minisign.PublicKey)
	if !ok {
		return "", fmt.Errorf("update: the secret key has no minisign public key")
	}
	return pub.String(), nil
}

// WriteKeyPair makes a key pair and writes the secret key to path (mode
// 0600) and the public key to path + ".pub". It never overwrites a file:
// a key replaced by mistake would lock every installed app out of its
// updates. It returns the public key's line, as update.public_keys takes it.
func WriteKeyPair(path, password string) (string, error) {
	secret, public, err := GenerateKey(password)
	if err != nil {
		return "", err
	}
	pubPath := path + ".pub"
	for _, p := range []string{path, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return "", exitcode.Config(fmt.Errorf("update keygen: %s exists; bundle never overwrites a key, so move it away or choose another path", p))
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", exitcode.Config(fmt.Errorf("update keygen: %w", err))
	}
	if err := writeNew(path, secret, 0o600); err != nil {
		return "", err
	}
	if err := writeNew(pubPath, public, 0o644); err != nil {
		os.Remove(path) // written just now, by this call
		return "", err
	}
	lines := strings.Split(strings.TrimSpace(string(public)), "\n")
	return lines[len(lines)-1], nil
}

// writeNew creates path, failing if it exists, and removes what it made
// when a write fails.
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return exitcode.Config(fmt.Errorf("update keygen: %w", err))
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("update keygen: %w", err)
	}
	return nil
}
