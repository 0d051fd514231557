package msix

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/templates/text"
)

// publisherOf is the package's Publisher: windows.msix_publisher; else,
// with sign.windows, the signing certificate's subject, which Windows
// requires it to be; else CN=<publisher>.
func publisherOf(c config.Config, dir string) (string, error) {
	if c.Windows.MSIXPublisher != "" {
		return c.Windows.MSIXPublisher, nil
	}
	if c.Sign.Windows != nil {
		subject, err := signingSubject(c, dir)
		if err != nil {
			return "", fmt.Errorf("msix: the Publisher is the subject of the certificate in sign.windows.pfx_file, which cannot be read (%w); set windows.msix_publisher: to it", err)
		}
		return subject, nil
	}
	return "CN=" + dnValue(text.Line(c.Publisher)), nil
}

// signingSubject reads the subject of sign.windows's certificate.
func signingSubject(c config.Config, dir string) (string, error) {
	s := c.Sign.Windows
	path := s.PFXFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, filepath.FromSlash(path))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	password := ""
	if s.PasswordEnv != "" {
		password = os.Getenv(s.PasswordEnv)
	}
	_, cert, _, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return "", err
	}
	var rdns pkix.RDNSequence
	if _, err := asn1.Unmarshal(cert.RawSubject, &rdns); err != nil {
		return "", err
	}
	return windowsDN(rdns), nil
}

// attributeNames are the short names Windows gives a subject's
// attributes.
var attributeNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "S", "2.5.4.9": "STREET",
	"2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.5": "SERIALNUMBER", "2.5.4.12": "T",
	"1.2.840.113549.1.9.1": "E", "0.9.2342.19200300.100.1.25": "DC",
}

// windowsDN writes a subject as Windows shows it, and as the MSIX
// Publisher must name it: the most specific part first ("CN=…, O=…,
// C=…"), parts joined by ", ". Hand-written: Go's pkix.Name.String is
// RFC 2253's form, whose order, separators and names differ.
func windowsDN(rdns pkix.RDNSequence) string {
	var parts []string
	for i := len(rdns) - 1; i >= 0; i-- {
		for _, atv := range rdns[i] {
			name, ok := attributeNames[atv.Type.String()]
			if !ok {
				name = "OID." + atv.Type.String()
			}
			parts = append(parts, name+"="+dnValue(fmt.Sprint(atv.Value)))
		}
	}
	return strings.Join(parts, ", ")
}

// dnValue quotes a distinguished name's value that holds a character
// that would end it or start another part, doubling its quotes.
func dnValue(v string) string {
	if strings.ContainsAny(v, `,+="<>#;\`) || strings.TrimSpace(v) != v || v == "" {
		return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
	}
	return v
}

// dnParts splits a distinguished name into its "K=V" parts, outside
// quotes, without the spaces around them, for comparing two names.
func dnParts(dn string) []string {
	var parts []string
	var cur strings.Builder
	quoted := false
	for _, r := range dn {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case (r == ',' || r == ';') && !quoted:
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(parts, strings.TrimSpace(cur.String()))
}

// sameDN reports whether two distinguished names have the same parts in
// the same order.
func sameDN(a, b string) bool {
	pa, pb := dnParts(a), dnParts(b)
	if len(pa) != len(pb) {
		return false
	}
	for i := range pa {
		if pa[i] != pb[i] {
			return false
		}
	}
	return true
}
