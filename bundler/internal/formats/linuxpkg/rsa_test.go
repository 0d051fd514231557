package linuxpkg

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // nolint:gosec // what apk signs
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAPKSignerKeys: the key files sign.apk takes (PKCS#1, PKCS#8, and
// PKCS#1 encrypted the legacy PEM way) sign a digest that verifies, the
// same bytes each time; a wrong or missing passphrase and a key that is
// not RSA are refused with the field to fix.
func TestAPKSignerKeys(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	encrypted, err := x509.EncryptPEMBlock(rand.Reader, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key), []byte("secret"), x509.PEMCipherAES256) //nolint:staticcheck // the legacy layout under test
	if err != nil {
		t.Fatal(err)
	}
	write := func(b *pem.Block) string {
		p := filepath.Join(t.TempDir(), "apk.rsa")
		if err := os.WriteFile(p, pem.EncodeToMemory(b), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	digest := sha1.Sum([]byte("control segment"))
	for _, c := range []struct {
		name, pass string
		key        *pem.Block
		want       string // error; "" for a key that signs
	}{
		{"PKCS#1", "", &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}, ""},
		{"PKCS#8", "", &pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}, ""},
		{"encrypted", "secret", encrypted, ""},
		{"wrong passphrase", "guess", encrypted, "sign.apk.passphrase_env: the passphrase does not decrypt"},
		{"no passphrase", "", encrypted, "sign.apk.passphrase_env: the key is encrypted"},
		{"not a key", "", &pem.Block{Type: "CERTIFICATE", Bytes: []byte("x")}, "sign.apk.key_file: not an RSA private key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sign, err := newAPKSigner(write(c.key), c.pass)
			if c.want != "" {
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("got %v, want %q", err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sig, err := sign(bytes.NewReader(digest[:]))
			if err != nil {
				t.Fatal(err)
			}
			if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA1, digest[:], sig); err != nil {
				t.Errorf("signature: %v", err)
			}
			if again, _ := sign(bytes.NewReader(digest[:])); !bytes.Equal(again, sig) {
				t.Error("two signatures of one digest differ")
			}
		})
	}
	if _, err := newAPKSigner(filepath.Join(t.TempDir(), "missing.rsa"), ""); err == nil || !strings.Contains(err.Error(), "sign.apk.key_file") {
		t.Errorf("a missing key: %v", err)
	}
}
