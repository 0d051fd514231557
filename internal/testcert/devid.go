package testcert

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Apple's Developer ID certificate extensions, which test chains copy so
// the signer treats them as Developer ID.
var (
	oidDeveloperIDApplication = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 13}
	oidDeveloperIDCA          = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 2, 6}
)

// Chain is a throw-away root CA, an intermediate and a code-signing leaf,
// with the leaf's key and the intermediate in a PKCS#12 file.
type Chain struct {
	P12    string // leaf, key and intermediate, encrypted with the password
	RootCA string // the root alone (PEM), the trust anchor of a verification
	Team   string // the leaf's subject OU
}

// ChainOptions shape the leaf.
type ChainOptions struct {
	DeveloperID bool      // mark the leaf and the intermediate as Developer ID
	NotBefore   time.Time // the leaf's validity
	NotAfter    time.Time
}

// WriteChain makes a chain and writes it into dir.
func WriteChain(dir, password string, o ChainOptions) (Chain, error) {
	const team = "TEST123456"
	root, rootKey, err := newCert(pkix.Name{CommonName: "Bundle Test Root CA"}, nil, nil, true, nil,
		o.NotBefore.AddDate(-1, 0, 0), o.NotBefore.AddDate(20, 0, 0))
	if err != nil {
		return Chain{}, err
	}
	var caExt, leafExt []pkix.Extension
	if o.DeveloperID {
		caExt = []pkix.Extension{{Id: oidDeveloperIDCA, Value: []byte{0x05, 0x00}}}
		leafExt = []pkix.Extension{{Id: oidDeveloperIDApplication, Value: []byte{0x05, 0x00}}}
	}
	mid, midKey, err := newCert(pkix.Name{CommonName: "Bundle Test Developer ID CA"}, root, rootKey, true, caExt,
		o.NotBefore.AddDate(-1, 0, 0), o.NotBefore.AddDate(20, 0, 0))
	if err != nil {
		return Chain{}, err
	}
	leaf, leafKey, err := newCert(pkix.Name{CommonName: "Developer ID Application: Bundle Tests (" + team + ")",
		OrganizationalUnit: []string{team}, Organization: []string{"Bundle Tests"}}, mid, midKey, false, leafExt,
		o.NotBefore, o.NotAfter)
	if err != nil {
		return Chain{}, err
	}
	c := Chain{P12: filepath.Join(dir, "developer-id.p12"), RootCA: filepath.Join(dir, "root.pem"), Team: team}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		return Chain{}, err
	}
	leafPEM, keyPEM, midPEM, passFile := filepath.Join(dir, "leaf.pem"), filepath.Join(dir, "leaf.key"),
		filepath.Join(dir, "mid.pem"), filepath.Join(dir, "pass")
	defer func() {
		for _, p := range []string{leafPEM, keyPEM, midPEM, passFile} {
			os.Remove(p)
		}
	}()
	files := map[string][]byte{
		c.RootCA: pemCert(root), leafPEM: pemCert(leaf), midPEM: pemCert(mid), passFile: []byte(password),
		keyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
	}
	for p, data := range files {
		if err := os.WriteFile(p, data, 0o600); err != nil {
			return Chain{}, err
		}
	}
	out, err := exec.Command("openssl", "pkcs12", "-export", "-in", leafPEM, "-inkey", keyPEM, "-certfile", midPEM,
		"-name", "Bundle Test Developer ID", "-out", c.P12, "-passout", "file:"+passFile).CombinedOutput()
	if err != nil {
		return Chain{}, fmt.Errorf("openssl pkcs12 -export: %v\n%s", err, out)
	}
	return c, nil
}

func newCert(subject pkix.Name, parent *x509.Certificate, parentKey *rsa.PrivateKey, ca bool,
	ext []pkix.Extension, notBefore, notAfter time.Time) (*x509.Certificate, *rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: subject, NotBefore: notBefore, NotAfter: notAfter,
		BasicConstraintsValid: true, IsCA: ca, ExtraExtensions: ext,
	}
	if ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}
