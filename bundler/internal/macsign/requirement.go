package macsign

import (
	"crypto/sha1"
	"encoding/asn1"
	"encoding/binary"
)

// Requirement-language opcodes and match operators (the Security
// framework's requirement.h) that designated requirements use.
const (
	opIdent              = 2
	opAnchorHash         = 4
	opAnd                = 6
	opCertField          = 11
	opCertGeneric        = 14
	opAppleGenericAnchor = 15

	matchExists = 0
	matchEqual  = 1

	certLeaf = 0

	requirementExpression = 1 // kind: an expression, not a legacy blob
	requirementDesignated = 3 // type in the requirement set
)

// expr builds a requirement expression: a stream of big-endian words in
// prefix order, with strings and data as a length word plus bytes padded
// to a word.
type expr []byte

func (e expr) word(v uint32) expr {
	return binary.BigEndian.AppendUint32(e, v)
}

func (e expr) data(d []byte) expr {
	e = e.word(uint32(len(d)))
	e = append(e, d...)
	for len(e)%4 != 0 {
		e = append(e, 0)
	}
	return e
}

// and joins terms left to right, as codesign writes "a and b and c".
func and(terms ...expr) expr {
	out := terms[0]
	for _, t := range terms[1:] {
		out = append(expr(nil).word(opAnd), append(out, t...)...)
	}
	return out
}

// oidContent is an OID's DER encoding without its tag and length, the form
// certificate-field opcodes carry.
func oidContent(oid asn1.ObjectIdentifier) []byte {
	der, _ := asn1.Marshal(oid) // cannot fail for a well-formed constant
	return der[2:]
}

// designatedRequirement is the requirement that identifies this code in
// future versions. For a Developer ID certificate it is Apple's own form:
//
//	identifier "<id>" and anchor apple generic and
//	certificate 1[field.1.2.840.113635.100.6.2.6] exists and
//	certificate leaf[field.1.2.840.113635.100.6.1.13] exists and
//	certificate leaf[subject.OU] = <team>
//
// For any other certificate (a test or company CA) it pins the leaf
// certificate's SHA-1, as codesign does for a self-signed identity.
func designatedRequirement(identifier string, id *Identity) []byte {
	ident := expr(nil).word(opIdent).data([]byte(identifier))
	var e expr
	if id.DeveloperID() && id.TeamID() != "" {
		e = and(ident,
			expr(nil).word(opAppleGenericAnchor),
			expr(nil).word(opCertGeneric).word(1).data(oidContent(oidDeveloperIDCA)).word(matchExists),
			expr(nil).word(opCertGeneric).word(certLeaf).data(oidContent(oidDeveloperIDApplication)).word(matchExists),
			expr(nil).word(opCertField).word(certLeaf).data([]byte("subject.OU")).word(matchEqual).data([]byte(id.TeamID())),
		)
	} else {
		sum := sha1.Sum(id.Cert.Raw)
		e = and(ident, expr(nil).word(opAnchorHash).word(certLeaf).data(sum[:]))
	}
	req := blob(magicRequirement, binary.BigEndian.AppendUint32(nil, requirementExpression))
	req = append(req, e...)
	binary.BigEndian.PutUint32(req[4:], uint32(len(req)))
	return superBlob(magicRequirements, []indexed{{requirementDesignated, req}})
}
