package macsign

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/smallstep/pkcs7"
	"howett.net/plist"

	bmacho "github.com/bundlekit/bundle/bundler/macho"
)

// Info is what a code signature says, for `bundle inspect`. It is read,
// not verified: the tests verify with an independent checker.
type Info struct {
	Identifier   string   `json:"identifier"`
	TeamID       string   `json:"team_id,omitempty"`
	Signer       string   `json:"signer,omitempty"` // the signing certificate's common name; "" for ad-hoc
	Flags        []string `json:"flags,omitempty"`
	Entitlements []string `json:"entitlements,omitempty"`
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
	le, be := binary.LittleEndian, binary.BigEndian
	off, size := int(le.Uint32(exe[l.codeSig+8:])), int(le.Uint32(exe[l.codeSig+12:]))
	if off < 0 || size < 12 || off+size > len(exe) {
		return nil, fmt.Errorf("code signature out of the file")
	}
	sb := exe[off : off+size]
	if be.Uint32(sb) != magicEmbeddedSig {
		return nil, fmt.Errorf("code signature: bad magic")
	}
	blobs := map[uint32][]byte{}
	for i := range int(be.Uint32(sb[8:])) {
		if 20+8*i > len(sb) {
			return nil, fmt.Errorf("code signature: truncated index")
		}
		slot, at := be.Uint32(sb[12+8*i:]), int(be.Uint32(sb[16+8*i:]))
		if at+8 > len(sb) {
			return nil, fmt.Errorf("code signature: blob out of range")
		}
		n := int(be.Uint32(sb[at+4:]))
		if n < 8 || at+n > len(sb) {
			return nil, fmt.Errorf("code signature: blob out of range")
		}
		blobs[slot] = sb[at : at+n]
	}
	cd := blobs[slotCodeDirectory]
	if len(cd) < cdHeaderSize-36 || be.Uint32(cd) != magicCodeDirectory {
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
		}
	}
	return info, nil
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
