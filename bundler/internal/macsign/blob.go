package macsign

import "encoding/binary"

// Blob magic numbers (cs_blobs.h). Every blob starts with its magic and
// its length, both big-endian.
const (
	magicRequirement    = 0xfade0c00
	magicRequirements   = 0xfade0c01
	magicCodeDirectory  = 0xfade0c02
	magicEmbeddedSig    = 0xfade0cc0
	magicEntitlements   = 0xfade7171
	magicEntitlementDER = 0xfade7172
	magicBlobWrapper    = 0xfade0b01
)

// Slots: where a blob sits in the embedded signature, and (negated) where
// its hash sits among the CodeDirectory's special slots.
const (
	slotCodeDirectory   = 0
	slotInfoPlist       = 1
	slotRequirements    = 2
	slotResources       = 3
	slotEntitlements    = 5
	slotEntitlementsDER = 7
	slotSignature       = 0x10000
)

// blob wraps payload in a magic and length header.
func blob(magic uint32, payload []byte) []byte {
	b := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint32(b[0:], magic)
	binary.BigEndian.PutUint32(b[4:], uint32(8+len(payload)))
	return append(b, payload...)
}

// indexed is one entry of a SuperBlob.
type indexed struct {
	slot uint32
	data []byte
}

// superBlob lays out entries (already in slot order) behind an index of
// {slot, offset} pairs.
func superBlob(magic uint32, entries []indexed) []byte {
	head := 12 + 8*len(entries)
	size := head
	for _, e := range entries {
		size += len(e.data)
	}
	b := make([]byte, head, size)
	binary.BigEndian.PutUint32(b[0:], magic)
	binary.BigEndian.PutUint32(b[4:], uint32(size))
	binary.BigEndian.PutUint32(b[8:], uint32(len(entries)))
	off := head
	for i, e := range entries {
		binary.BigEndian.PutUint32(b[12+8*i:], e.slot)
		binary.BigEndian.PutUint32(b[16+8*i:], uint32(off))
		off += len(e.data)
	}
	for _, e := range entries {
		b = append(b, e.data...)
	}
	return b
}
