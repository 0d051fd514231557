// Package testcert makes throw-away code-signing certificates for tests: a
// self-signed Authenticode certificate, or a root, intermediate and leaf
// shaped like Apple's Developer ID chain, with the key packed into a PFX
// (PKCS#12, encrypted with a password, through `openssl pkcs12 -export`,
// since the standard library writes no PKCS#12).
package testcert

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Cert is a code-signing certificate written to disk.
type Cert struct {
	PFX     string // the PFX, encrypted with the password given to Write
	CertPEM string // the certificate alone, as the CA file for verification
}

// Write makes a certificate valid from a day before notBefore for ten
// years and writes it into dir.
func Write(dir, password string, notBefore time.Time) (Cert, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Cert{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return Cert{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Bundle Test Code Signing", Organization: []string{"Bundle Tests"}},
		NotBefore:             notBefore.Add(-24 * time.Hour),
		NotAfter:              notBefore.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return Cert{}, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Cert{}, err
	}
	c := Cert{PFX: filepath.Join(dir, "codesign.pfx"), CertPEM: filepath.Join(dir, "cert.pem")}
	keyPEM, passFile := filepath.Join(dir, "key.pem"), filepath.Join(dir, "pass")
	defer os.Remove(keyPEM)
	defer os.Remove(passFile)
	files := map[string][]byte{
		c.CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:    pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
		passFile:  []byte(password),
	}
	for p, data := range files {
		if err := os.WriteFile(p, data, 0o600); err != nil {
			return Cert{}, err
		}
	}
	out, err := exec.Command("openssl", "pkcs12", "-export", "-in", c.CertPEM, "-inkey", keyPEM,
		"-name", "Bundle Test Code Signing", "-out", c.PFX, "-passout", "file:"+passFile).CombinedOutput()
	if err != nil {
		return Cert{}, fmt.Errorf("openssl pkcs12 -export: %v\n%s", err, out)
	}
	return c, nil
}
