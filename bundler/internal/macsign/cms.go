package macsign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"fmt"
	"sort"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"howett.net/plist"
)

// OIDs of the CMS structure (RFC 5652) and of the signed attributes Apple
// adds so the signature names the CodeDirectories it covers: a plist of
// their hashes cut to 20 bytes, and each full hash with its algorithm.
var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSHA256        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidRSA           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidECDSAWithSHA  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidCDHashesPlist = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 9, 1}
	oidCDHashes      = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 9, 2}
)

// cmsSignature signs the CodeDirectory blob cd: a detached CMS SignedData
// over it with SHA-256, carrying the signer's chain, signed at time at.
//
// It is written here with cryptobyte rather than taken from a CMS library
// because the ones available stamp the wall clock as the signing time; the
// build's own time makes a signed build reproducible (an RSA PKCS #1 v1.5
// signature is deterministic), as Authenticode signing already is.
//
// With a Timestamper, an RFC 3161 token over the signature goes into the
// unsigned attributes: the secure timestamp notarization requires.
func cmsSignature(ctx context.Context, cd []byte, id *Identity, at time.Time, ts *Timestamper) ([]byte, error) {
	sum := sha256.Sum256(cd)
	hashes, err := plist.MarshalIndent(map[string]any{"cdhashes": [][]byte{sum[:20]}}, plist.XMLFormat, "\t")
	if err != nil {
		return nil, fmt.Errorf("cdhashes plist: %w", err)
	}
	attrs := [][]byte{
		attribute(oidContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) }),
		attribute(oidSigningTime, func(b *cryptobyte.Builder) { b.AddASN1UTCTime(at.UTC().Truncate(time.Second)) }),
		attribute(oidMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(sum[:]) }),
		attribute(oidCDHashesPlist, func(b *cryptobyte.Builder) { b.AddASN1OctetString(append(hashes, '\n')) }),
		attribute(oidCDHashes, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidSHA256)
				b.AddASN1OctetString(sum[:])
			})
		}),
	}
	// DER orders the members of a SET OF by their encodings.
	sort.Slice(attrs, func(i, j int) bool { return bytes.Compare(attrs[i], attrs[j]) < 0 })
	signedAttrs := func(tag cbasn1.Tag) []byte {
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1(tag, func(b *cryptobyte.Builder) {
			for _, a := range attrs {
				b.AddBytes(a)
			}
		})
		return b.BytesOrPanic()
	}
	// The signature covers the attributes encoded as a SET; they are
	// stored with the [0] IMPLICIT tag.
	digest := sha256.Sum256(signedAttrs(cbasn1.SET))
	var sigAlg asn1.ObjectIdentifier
	switch id.Key.Public().(type) {
	case *rsa.PublicKey:
		sigAlg = oidRSA
	case *ecdsa.PublicKey:
		sigAlg = oidECDSAWithSHA
	default:
		return nil, fmt.Errorf("cms: a %T key cannot sign code", id.Key.Public())
	}
	signature, err := id.Key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	var token []byte
	if ts != nil {
		if token, err = ts.token(ctx, signature); err != nil {
			return nil, err
		}
	}

	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { algorithm(b, oidSHA256, false) })
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) }) // detached
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					b.AddBytes(id.Cert.Raw)
					for _, c := range id.Chain {
						b.AddBytes(c.Raw)
					}
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignerInfo
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerAndSerialNumber
							b.AddBytes(id.Cert.RawIssuer)
							b.AddASN1BigInt(id.Cert.SerialNumber)
						})
						algorithm(b, oidSHA256, false)
						b.AddBytes(signedAttrs(cbasn1.Tag(0).ContextSpecific().Constructed()))
						algorithm(b, sigAlg, sigAlg.Equal(oidRSA))
						b.AddASN1OctetString(signature)
						if token != nil {
							b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
								b.AddBytes(attribute(oidTimeStampToken, func(b *cryptobyte.Builder) { b.AddBytes(token) }))
							})
						}
					})
				})
			})
		})
	})
	return b.Bytes()
}

// attribute encodes Attribute ::= SEQUENCE { type, SET { value } }.
func attribute(oid asn1.ObjectIdentifier, value func(*cryptobyte.Builder)) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { value(b) })
	})
	return b.BytesOrPanic()
}

// algorithm encodes an AlgorithmIdentifier, with NULL parameters where
// the algorithm's definition asks for them: rsaEncryption does; SHA-2 in
// CMS is written without (RFC 5754), and so is ECDSA.
func algorithm(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, nullParams bool) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if nullParams {
			b.AddASN1NULL()
		}
	})
}

// cmsReserve is room for the CMS signature: the certificates it carries,
// plus the signer info, attributes and signature, with a margin, and room
// for a time-stamp token with its server's certificates.
func cmsReserve(id *Identity, timestamped bool) int {
	n := len(id.Cert.Raw) + 4096
	if timestamped {
		n += 16384
	}
	for _, c := range id.Chain {
		n += len(c.Raw)
	}
	return n
}
