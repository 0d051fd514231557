package macho

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"debug/macho"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
)

// ErrUnsigned is returned (wrapped) by VerifyCodeSignature for a Mach-O file
// without an LC_CODE_SIGNATURE load command, such as Go's darwin/amd64
// output.
var ErrUnsigned = errors.New("unsigned: no LC_CODE_SIGNATURE load command")

// Code-signature constants. The signature is a big-endian SuperBlob (an
// index of typed blobs) at the file offset LC_CODE_SIGNATURE names; the
// CodeDirectory blob in it lists one hash per page of the file up to its
// codeLimit.
const (
	lcCodeSignature = 0x1d // load command: linkedit_data_command{cmd, cmdsize, dataoff, datasize}

	csMagicEmbeddedSignature = 0xfade0cc0 // SuperBlob: magic, length, count, then {type, offset} per blob
	csMagicCodeDirectory     = 0xfade0c02

	csSlotCodeDirectory     = 0      // the primary CodeDirectory
	csSlotAlternateFirst    = 0x1000 // alternate CodeDirectories (other hash types)
	csSlotAlternateLast     = 0x1004 //
	csSupportsScatter       = 0x20100
	csSupportsCodeLimit64   = 0x20300
	codeDirectoryMinSize    = 44 // fields up to and including spare2
	codeDirectoryLimit64End = 64 // ... up to and including codeLimit64
)

// CodeDirectory hash types.
const (
	csHashSHA1            = 1
	csHashSHA256          = 2
	csHashSHA256Truncated = 3 // SHA-256 cut to 20 bytes
	csHashSHA384          = 4
)

// VerifyCodeSignature checks a thin Mach-O's LC_CODE_SIGNATURE: every
// CodeDirectory in the embedded signature must list, for each page of the
// file up to its codeLimit, the hash of that page (SHA-256 for Go's linker;
// the page size comes from the directory). It returns nil for a valid
// signature, an error wrapping ErrUnsigned when there is none, and an error
// naming the first bad page otherwise.
//
// Only the code pages are checked: special slots (Info.plist, requirements,
// entitlements) and any CMS signature are not, which is all an ad-hoc,
// linker-made signature has anyway.
func VerifyCodeSignature(thinFile []byte) error {
	if isFat(thinFile) {
		return fmt.Errorf("macho: VerifyCodeSignature needs a thin Mach-O file, not a universal binary; take a slice out with Slices")
	}
	f, err := macho.NewFile(bytes.NewReader(thinFile))
	if err != nil {
		return fmt.Errorf("macho: not a Mach-O file: %v", err)
	}
	sig, err := signatureBlob(f, thinFile)
	if err != nil {
		return err
	}

	if len(sig) < 12 || binary.BigEndian.Uint32(sig) != csMagicEmbeddedSignature {
		return fmt.Errorf("macho: code signature is not an embedded-signature SuperBlob")
	}
	count := binary.BigEndian.Uint32(sig[8:])
	if uint64(count) > uint64(len(sig)-12)/8 {
		return fmt.Errorf("macho: code signature index claims %d blobs, more than fit", count)
	}
	checked := 0
	for i := range int(count) {
		entry := sig[12+8*i:]
		typ := binary.BigEndian.Uint32(entry[0:])
		off := binary.BigEndian.Uint32(entry[4:])
		if typ != csSlotCodeDirectory && (typ < csSlotAlternateFirst || typ > csSlotAlternateLast) {
			continue
		}
		if uint64(off)+8 > uint64(len(sig)) {
			return fmt.Errorf("macho: CodeDirectory (slot %#x) lies outside the signature", typ)
		}
		length := binary.BigEndian.Uint32(sig[off+4:])
		if uint64(off)+uint64(length) > uint64(len(sig)) {
			return fmt.Errorf("macho: CodeDirectory (slot %#x) lies outside the signature", typ)
		}
		if err := verifyCodeDirectory(sig[off:off+length], thinFile); err != nil {
			return err
		}
		checked++
	}
	if checked == 0 {
		return fmt.Errorf("macho: code signature has no CodeDirectory")
	}
	return nil
}

// signatureBlob returns the bytes LC_CODE_SIGNATURE points at.
func signatureBlob(f *macho.File, data []byte) ([]byte, error) {
	for _, l := range f.Loads {
		raw := l.Raw()
		if len(raw) < 16 || f.ByteOrder.Uint32(raw) != lcCodeSignature {
			continue
		}
		off := uint64(f.ByteOrder.Uint32(raw[8:]))
		size := uint64(f.ByteOrder.Uint32(raw[12:]))
		if off+size > uint64(len(data)) {
			return nil, fmt.Errorf("macho: LC_CODE_SIGNATURE points past the end of the file (%d+%d > %d)", off, size, len(data))
		}
		return data[off : off+size], nil
	}
	return nil, fmt.Errorf("macho: %w", ErrUnsigned)
}

// verifyCodeDirectory recomputes the code-page hashes cd lists over data.
func verifyCodeDirectory(cd, data []byte) error {
	if len(cd) < codeDirectoryMinSize || binary.BigEndian.Uint32(cd) != csMagicCodeDirectory {
		return fmt.Errorf("macho: malformed CodeDirectory")
	}
	be := binary.BigEndian
	version := be.Uint32(cd[8:])
	hashOffset := be.Uint32(cd[16:])
	nCodeSlots := be.Uint32(cd[28:])
	codeLimit := uint64(be.Uint32(cd[32:]))
	hashSize := int(cd[36])
	hashType := cd[37]
	pageShift := cd[39]

	if version >= csSupportsScatter && be.Uint32(cd[44:]) != 0 {
		return fmt.Errorf("macho: CodeDirectory uses scatter vectors, which are not supported")
	}
	if version >= csSupportsCodeLimit64 && len(cd) >= codeDirectoryLimit64End {
		if l64 := be.Uint64(cd[56:]); l64 != 0 {
			codeLimit = l64
		}
	}

	newHash, size, name := hashFor(hashType)
	if newHash == nil {
		return fmt.Errorf("macho: CodeDirectory uses unknown hash type %d", hashType)
	}
	if hashSize != size {
		return fmt.Errorf("macho: CodeDirectory hash size %d does not fit %s", hashSize, name)
	}
	if codeLimit > uint64(len(data)) {
		return fmt.Errorf("macho: CodeDirectory codeLimit %d is past the end of the file (%d bytes)", codeLimit, len(data))
	}
	if pageShift >= 32 {
		return fmt.Errorf("macho: CodeDirectory page size 2^%d out of range", pageShift)
	}
	// A page size of 0 means the whole of codeLimit is one page.
	pageSize := codeLimit
	if pageShift != 0 {
		pageSize = uint64(1) << pageShift
	}
	want := uint64(0)
	if codeLimit > 0 {
		want = (codeLimit + pageSize - 1) / pageSize
	}
	if uint64(nCodeSlots) != want {
		return fmt.Errorf("macho: CodeDirectory has %d code slots, want %d for codeLimit %d and %d-byte pages", nCodeSlots, want, codeLimit, pageSize)
	}
	if uint64(hashOffset)+uint64(nCodeSlots)*uint64(hashSize) > uint64(len(cd)) {
		return fmt.Errorf("macho: CodeDirectory hash slots lie outside the directory")
	}

	h := newHash()
	var sum []byte
	bad, first := 0, -1
	for i := range want {
		start := i * pageSize
		end := min(start+pageSize, codeLimit)
		h.Reset()
		h.Write(data[start:end])
		sum = h.Sum(sum[:0])[:size]
		slot := cd[uint64(hashOffset)+i*uint64(hashSize):][:hashSize]
		if subtle.ConstantTimeCompare(sum, slot) != 1 {
			if first < 0 {
				first = int(i)
			}
			bad++
		}
	}
	if bad > 0 {
		start := uint64(first) * pageSize
		return fmt.Errorf("macho: code signature invalid: %s hash of page %d (bytes %d-%d) does not match (%d of %d pages differ)",
			name, first, start, min(start+pageSize, codeLimit), bad, want)
	}
	return nil
}

// hashFor returns the constructor, digest length in the directory and name
// of a CodeDirectory hash type, or nil for an unknown one.
func hashFor(t byte) (func() hash.Hash, int, string) {
	switch t {
	case csHashSHA1:
		return sha1.New, sha1.Size, "SHA-1"
	case csHashSHA256:
		return sha256.New, sha256.Size, "SHA-256"
	case csHashSHA256Truncated:
		return sha256.New, 20, "truncated SHA-256"
	case csHashSHA384:
		return sha512.New384, sha512.Size384, "SHA-384"
	}
	return nil, 0, ""
}
