package macsign

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/digitorus/timestamp"
	"github.com/smallstep/pkcs7"
	"howett.net/plist"

	bmacho "github.com/bundlekit/bundle/bundler/internal/macho"
)

// Info is what a code signature says, for `bundle inspect`. It is read,
// not verified: the tests verify with an independent checker.
type Info struct {
	Identifier   string   `json:"identifier"`
	TeamID       string   `json:"team_id,omitempty"`
	Signer       string   `json:"signer,omitempty"` // the signing certificate's common name; "" for ad-hoc
	Flags        []string `json:"flags,omitempty"`
	Entitlements []string `json:"entitlements,omitempty"`
	Timestamp    string   `json:"timestamp,omitempty"` // the secure timestamp's time (RFC 3339), read from its token; "" when none
}

// Code-directory flags worth naming (cs_blobs.h).
var flagNames = []struct {
	bit  uint32
	name string
}{{0x2, "adhoc"}, {0x10000, "runtime"}, {0x20000, "linker-signed"}}

// ErrNotSigned is returned (wrapped) for a Mach-O file without a code
// signature.
var ErrNotSigned = errors.New("not signed")

// Read reads the code signature of a thin or universal Mach-O executable
// (the first slice of a universal one).
func Read(exe []byte) (*Info, error) {
	blobs, err := machoSignature(exe)
	if err != nil {
		return nil, err
	}
	be := binary.BigEndian
	cd := blobs[slotCodeDirectory]
	if len(cd) < cdHeaderDMG || be.Uint32(cd) != magicCodeDirectory {
		return nil, fmt.Errorf("code signature: no CodeDirectory")
	}
	info := &Info{Identifier: cstring(cd, be.Uint32(cd[20:]))}
	if be.Uint32(cd[8:]) >= 0x20200 && len(cd) >= 52 {
		info.TeamID = cstring(cd, be.Uint32(cd[48:]))
	}
	flags := be.Uint32(cd[12:])
	for _, f := range flagNames {
		if flags&f.bit != 0 {
			info.Flags = append(info.Flags, f.name)
		}
	}
	if ents := blobs[slotEntitlements]; len(ents) > 8 {
		var v map[string]any
		if _, err := plist.Unmarshal(ents[8:], &v); err == nil {
			for k := range v {
				info.Entitlements = append(info.Entitlements, k)
			}
			sort.Strings(info.Entitlements)
		}
	}
	if w := blobs[slotSignature]; len(w) > 8 {
		if p7, err := pkcs7.Parse(w[8:]); err == nil {
			if c := p7.GetOnlySigner(); c != nil {
				info.Signer = c.Subject.CommonName
			}
			for _, si := range p7.Signers {
				for _, a := range si.UnauthenticatedAttributes {
					if !a.Type.Equal(oidTimeStampToken) {
						continue
					}
					// The SET's only member is the token.
					if t, err := timestamp.Parse(a.Value.Bytes); err == nil {
						info.Timestamp = t.Time.UTC().Format(time.RFC3339)
					}
				}
			}
		}
	}
	return info, nil
}

// machoSignature returns the blobs of a Mach-O executable's embedded
// signature by slot (the first slice's, for a universal binary).
func machoSignature(exe []byte) (map[uint32][]byte, error) {
	if slices, err := bmacho.Slices(bytes.NewReader(exe)); err == nil && len(slices) > 0 {
		exe = slices[0].Data
	}
	l, err := readLayout(exe)
	if err != nil {
		return nil, err
	}
	if l.codeSig < 0 {
		return nil, ErrNotSigned
	}
	le := binary.LittleEndian
	off, size := int(le.Uint32(exe[l.codeSig+8:])), int(le.Uint32(exe[l.codeSig+12:]))
	if off < 0 || size < 12 || off+size > len(exe) {
		return nil, fmt.Errorf("code signature out of the file")
	}
	entries, err := signatureEntries(exe[off : off+size])
	if err != nil {
		return nil, fmt.Errorf("code signature: %w", err)
	}
	blobs := map[uint32][]byte{}
	for _, e := range entries {
		blobs[e.slot] = e.data
	}
	return blobs, nil
}

// AppCodeDirectoryHash is the SHA-256 of the CodeDirectory of an app's
// main executable (its first slice), by which the app's notarization
// ticket is found.
func AppCodeDirectoryHash(appPath string) ([]byte, error) {
	exe, err := mainExecutable(appPath)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		return nil, err
	}
	blobs, err := machoSignature(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(exe), err)
	}
	return sum256(blobs[slotCodeDirectory]), nil
}

// StapleApp staples a notarization ticket to an app: the file
// Contents/CodeResources, which the resource seal leaves out.
func StapleApp(appPath string, ticket []byte) error {
	return replaceFile(filepath.Join(appPath, "Contents", "CodeResources"), ticket, 0o644)
}

func cstring(b []byte, at uint32) string {
	if at == 0 || int(at) >= len(b) {
		return ""
	}
	s := b[at:]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return string(s)
}
