package macsign

import (
	"crypto/sha256"
	"encoding/asn1"
	"fmt"

	"github.com/smallstep/pkcs7"
	"howett.net/plist"
)

// Signed attributes Apple adds so the CMS signature names the
// CodeDirectories it covers: a plist of their hashes cut to 20 bytes, and
// each full hash with its algorithm.
var (
	oidCDHashesPlist = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 9, 1}
	oidCDHashes      = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 9, 2}
	oidSHA256        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

type digestWithAlgorithm struct {
	Algorithm asn1.ObjectIdentifier
	Digest    []byte
}

// cmsSignature signs the CodeDirectory blob cd: a detached CMS SignedData
// over it with SHA-256, carrying the signer's chain.
func cmsSignature(cd []byte, id *Identity) ([]byte, error) {
	sum := sha256.Sum256(cd)
	hashes, err := plist.MarshalIndent(map[string]any{"cdhashes": [][]byte{sum[:20]}}, plist.XMLFormat, "\t")
	if err != nil {
		return nil, fmt.Errorf("cdhashes plist: %w", err)
	}
	sd, err := pkcs7.NewSignedData(cd)
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	attrs := pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{
		{Type: oidCDHashesPlist, Value: append(hashes, '\n')},
		{Type: oidCDHashes, Value: digestWithAlgorithm{oidSHA256, sum[:]}},
	}}
	if err := sd.AddSignerChain(id.Cert, id.Key, id.Chain, attrs); err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	return der, nil
}

// cmsReserve is room for the CMS signature: the certificates it carries,
// plus the signer info, attributes and signature, with a margin.
func cmsReserve(id *Identity) int {
	n := len(id.Cert.Raw) + 4096
	for _, c := range id.Chain {
		n += len(c.Raw)
	}
	return n
}
