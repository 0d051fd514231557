package feed

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// minisign's layouts (https://jedisct1.github.io/minisign/): a public key
// is "Ed", an 8-byte key id and the 32-byte Ed25519 key, base64-encoded; a
// signature file has an untrusted comment, "Ed" or "ED", the key id and
// the 64-byte signature, a trusted comment, and a signature of the
// signature and the trusted comment together. Written here rather than
// taken from a library because this module uses the standard library
// only. The client accepts "Ed" signatures (Ed25519 over the file itself,
// what bundle writes and minisign -S -l makes) and not "ED" ones, which
// sign a BLAKE2b hash the standard library cannot compute; feeds are
// small, so nothing is lost.

// PublicKey is a minisign Ed25519 public key.
type PublicKey struct {
	ID  uint64
	Key ed25519.PublicKey
}

// ParsePublicKey reads a public key: its base64 line, with or without the
// untrusted comment line minisign writes above it.
func ParsePublicKey(text string) (PublicKey, error) {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	b64 := strings.TrimSpace(lines[len(lines)-1])
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 42 || raw[0] != 'E' || raw[1] != 'd' {
		return PublicKey{}, fmt.Errorf("public key %q is not a minisign Ed25519 public key", short(b64))
	}
	return PublicKey{ID: binary.LittleEndian.Uint64(raw[2:10]), Key: ed25519.PublicKey(raw[10:])}, nil
}

// IDString is the key id as minisign prints it.
func (k PublicKey) IDString() string { return fmt.Sprintf("%016X", k.ID) }

// Signature is a parsed minisign signature file.
type Signature struct {
	Algorithm      string // "Ed" or "ED"
	KeyID          uint64
	Sig            []byte
	TrustedComment string
	GlobalSig      []byte
}

// ErrBadSignature is returned for a signature that does not verify.
var ErrBadSignature = errors.New("the signature does not match: the feed was changed after it was signed, or signed by another key")

// ParseSignature reads a minisign signature file.
func ParseSignature(data []byte) (Signature, error) {
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "untrusted comment:") || !strings.HasPrefix(lines[2], "trusted comment: ") {
		return Signature{}, errors.New("not a minisign signature file (four lines: untrusted comment, signature, trusted comment, global signature)")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(lines[1]))
	if err != nil || len(raw) != 74 {
		return Signature{}, errors.New("minisign signature: the signature line is not 74 bytes of base64")
	}
	global, err := base64.StdEncoding.DecodeString(strings.TrimSpace(lines[3]))
	if err != nil || len(global) != ed25519.SignatureSize {
		return Signature{}, errors.New("minisign signature: the global signature line is not 64 bytes of base64")
	}
	return Signature{
		Algorithm:      string(raw[:2]),
		KeyID:          binary.LittleEndian.Uint64(raw[2:10]),
		Sig:            raw[10:],
		TrustedComment: strings.TrimPrefix(lines[2], "trusted comment: "),
		GlobalSig:      global,
	}, nil
}

// VerifySignature checks that sig signs data with one of keys and returns
// that key. The key is chosen by the id the signature names, so a feed
// signed by a key the app does not list (an unknown or rotated-out key)
// fails with that said.
func VerifySignature(data, sigFile []byte, keys []PublicKey) (PublicKey, error) {
	sig, err := ParseSignature(sigFile)
	if err != nil {
		return PublicKey{}, err
	}
	switch sig.Algorithm {
	case "Ed":
	case "ED":
		return PublicKey{}, errors.New("minisign signature of a BLAKE2b hash (ED); sign the feed with bundle, or with minisign -S -l")
	default:
		return PublicKey{}, fmt.Errorf("minisign signature: unknown algorithm %q", sig.Algorithm)
	}
	var candidates []PublicKey
	for _, k := range keys {
		if k.ID == sig.KeyID {
			candidates = append(candidates, k)
		}
	}
	if len(candidates) == 0 {
		ids := make([]string, len(keys))
		for i, k := range keys {
			ids[i] = k.IDString()
		}
		return PublicKey{}, fmt.Errorf("signed by key %016X, which this app does not trust (it trusts %s)", sig.KeyID, strings.Join(ids, ", "))
	}
	for _, key := range candidates { // two keys may share an id
		if !ed25519.Verify(key.Key, data, sig.Sig) {
			continue
		}
		if !ed25519.Verify(key.Key, append(bytes.Clone(sig.Sig), sig.TrustedComment...), sig.GlobalSig) {
			return PublicKey{}, errors.New("the trusted comment of the signature was changed")
		}
		return key, nil
	}
	return PublicKey{}, ErrBadSignature
}

func short(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}
