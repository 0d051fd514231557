package macsign

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// Apple's certificate extensions: the leaf of a Developer ID Application
// certificate, and the Developer ID intermediate CA that issues it.
var (
	oidDeveloperIDApplication = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 13}
	oidDeveloperIDCA          = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 2, 6}
)

// ErrPassword is returned (wrapped) when the password does not open the
// PKCS#12 file.
var ErrPassword = errors.New("the password does not open it")

// Identity is a signing certificate with its key.
type Identity struct {
	Key   crypto.Signer
	Cert  *x509.Certificate
	Chain []*x509.Certificate // the leaf's issuer first, up to the root if the file holds it
}

// LoadIdentity opens a PKCS#12 file. It refuses a certificate that is not
// valid at now or whose key does not match it.
func LoadIdentity(p12 []byte, password string, now time.Time) (*Identity, error) {
	key, cert, cas, err := pkcs12.DecodeChain(p12, password)
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, ErrPassword
	}
	if err != nil {
		return nil, fmt.Errorf("not a PKCS#12 file with one key and its certificate: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("its key is a %T, which cannot sign", key)
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("its key does not belong to its certificate %q", cert.Subject.CommonName)
	}
	if now.After(cert.NotAfter) {
		return nil, fmt.Errorf("certificate %q expired on %s; renew it in your Apple developer account", cert.Subject.CommonName, cert.NotAfter.Format(time.DateOnly))
	}
	if now.Before(cert.NotBefore) {
		return nil, fmt.Errorf("certificate %q is valid only from %s", cert.Subject.CommonName, cert.NotBefore.Format(time.DateOnly))
	}
	return &Identity{Key: signer, Cert: cert, Chain: chainOf(cert, cas)}, nil
}

// chainOf orders the certificates that issued leaf, nearest first; others
// in the file are left out.
func chainOf(leaf *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	var chain []*x509.Certificate
	for c := leaf; !bytes.Equal(c.RawIssuer, c.RawSubject) && len(chain) < len(pool); {
		var next *x509.Certificate
		for _, p := range pool {
			if bytes.Equal(p.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(p) == nil {
				next = p
				break
			}
		}
		if next == nil {
			break
		}
		chain = append(chain, next)
		c = next
	}
	return chain
}

// TeamID is the Apple team identifier: the organizational unit of a
// Developer ID certificate's subject.
func (id *Identity) TeamID() string {
	if ou := id.Cert.Subject.OrganizationalUnit; len(ou) > 0 {
		return ou[0]
	}
	return ""
}

// DeveloperID reports whether the certificate is a Developer ID
// Application certificate, the only kind Gatekeeper accepts for apps
// distributed outside the App Store.
func (id *Identity) DeveloperID() bool {
	return hasExtension(id.Cert, oidDeveloperIDApplication)
}

func hasExtension(c *x509.Certificate, oid asn1.ObjectIdentifier) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(oid) {
			return true
		}
	}
	return false
}
