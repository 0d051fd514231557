package macsign

import (
	"crypto/sha256"
	"encoding/binary"
)

// CodeDirectory constants (cs_blobs.h).
const (
	cdVersion      = 0x20400 // the version with the executable-segment fields
	cdHeaderSize   = 88      // fields up to execSegFlags in that version
	cdVersionDMG   = 0x20100 // the version codesign writes for a disk image
	cdHeaderDMG    = 48      // fields up to scatterOffset in that version
	hashTypeSHA256 = 2
	pageShift      = 12 // 4 KiB pages, as codesign hashes macOS code
	pageSize       = 1 << pageShift

	flagRuntime = 0x10000 // hardened runtime
)

// codeDirectory is what a CodeDirectory says of one Mach-O file.
type codeDirectory struct {
	identifier, team string
	flags            uint32
	codeLimit        uint64
	execSegBase      uint64
	execSegLimit     uint64
	execSegFlags     uint64
	special          map[int][]byte // slot → SHA-256 of what the slot binds
	code             []byte         // the file up to codeLimit
	whole            bool           // one hash over all the code (a disk image), not one per page
}

// offsets lays the blob out; it depends on the code's length, not its
// content, so the size is known before the file is final.
func (cd codeDirectory) offsets() (nSpecial, nCode, identOff, teamOff, hashOff, size int) {
	for slot := range cd.special {
		nSpecial = max(nSpecial, slot)
	}
	nCode = int((cd.codeLimit + pageSize - 1) / pageSize)
	identOff = cdHeaderSize
	if cd.whole {
		nCode, identOff = 1, cdHeaderDMG
	}
	teamOff = identOff + len(cd.identifier) + 1
	hashOff = teamOff + nSpecial*sha256.Size
	if cd.team != "" {
		hashOff += len(cd.team) + 1
	}
	return nSpecial, nCode, identOff, teamOff, hashOff, hashOff + nCode*sha256.Size
}

// bytes encodes the CodeDirectory blob: header, identifier, team id,
// special-slot hashes (highest slot first) and one hash per page of code.
func (cd codeDirectory) bytes() []byte {
	nSpecial, nCode, identOff, teamOff, hashOff, size := cd.offsets()

	b := make([]byte, size)
	be := binary.BigEndian
	be.PutUint32(b[0:], magicCodeDirectory)
	be.PutUint32(b[4:], uint32(size))
	be.PutUint32(b[8:], map[bool]uint32{false: cdVersion, true: cdVersionDMG}[cd.whole])
	be.PutUint32(b[12:], cd.flags)
	be.PutUint32(b[16:], uint32(hashOff))
	be.PutUint32(b[20:], uint32(identOff))
	be.PutUint32(b[24:], uint32(nSpecial))
	be.PutUint32(b[28:], uint32(nCode))
	if cd.codeLimit <= 0xffffffff {
		be.PutUint32(b[32:], uint32(cd.codeLimit))
	} else {
		be.PutUint64(b[56:], cd.codeLimit) // codeLimit64
	}
	b[36] = sha256.Size
	b[37] = hashTypeSHA256
	b[38] = 0 // platform: not a platform binary
	b[39] = pageShift
	// 40 spare2, 44 scatterOffset: none.
	if !cd.whole {
		if cd.team != "" {
			be.PutUint32(b[48:], uint32(teamOff))
		}
		// 52 spare3.
		be.PutUint64(b[64:], cd.execSegBase)
		be.PutUint64(b[72:], cd.execSegLimit)
		be.PutUint64(b[80:], cd.execSegFlags)
	}
	copy(b[identOff:], cd.identifier)
	if cd.team != "" {
		copy(b[teamOff:], cd.team)
	}
	for slot, sum := range cd.special {
		copy(b[hashOff-slot*sha256.Size:], sum)
	}
	if cd.whole {
		b[39] = 0 // no paging: the one hash covers codeLimit bytes
		sum := sha256.Sum256(cd.code)
		copy(b[hashOff:], sum[:])
		return b
	}
	for i := range nCode {
		page := cd.code[i*pageSize : min(len(cd.code), (i+1)*pageSize)]
		sum := sha256.Sum256(page)
		copy(b[hashOff+i*sha256.Size:], sum[:])
	}
	return b
}
