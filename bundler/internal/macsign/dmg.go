package macsign

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// The UDIF trailer ("koly", the last 512 bytes of a disk image) and the
// fields signing reads and writes.
const (
	kolySize        = 512
	kolyPlistOffset = 216
	kolyPlistLength = 224
	kolySigOffset   = 296
	kolySigSize     = 304
	slotRepSpecific = 6
	slotTicket      = 0x10002
)

// SignDMG signs the UDIF disk image at path in place, as codesign does: a
// CodeDirectory with one hash over the image up to the signature and, in
// the rep-specific slot, the hash of the trailer with the signature's
// offset set and its size zero (the size is not known before signing);
// an empty requirement set; the CMS signature. The signature goes after
// the image's plist, and the trailer then points at it.
func SignDMG(ctx context.Context, path string, o Options) error {
	data, koly, end, err := readImage(path)
	if err != nil {
		return err
	}
	binary.BigEndian.PutUint64(koly[kolySigOffset:], uint64(end))
	binary.BigEndian.PutUint64(koly[kolySigSize:], 0)
	reqs := superBlob(magicRequirements, nil)
	cd := codeDirectory{identifier: o.Identifier, codeLimit: uint64(end), code: data[:end], whole: true,
		special: map[int][]byte{slotRequirements: sum256(reqs), slotRepSpecific: sum256(koly)}}
	cdBytes := cd.bytes()
	at := o.Time
	if at.IsZero() {
		return errors.New("dmg: no signing time")
	}
	cms, err := cmsSignature(ctx, cdBytes, o.Identity, at, o.Timestamper)
	if err != nil {
		return fmt.Errorf("dmg: %w", err)
	}
	sig := superBlob(magicEmbeddedSig, []indexed{
		{slotCodeDirectory, cdBytes}, {slotRequirements, reqs}, {slotSignature, blob(magicBlobWrapper, cms)},
	})
	return writeDMG(path, data[:end], sig, koly)
}

// StapleDMG adds a notarization ticket to a signed disk image. The ticket
// slot is outside the CodeDirectory, so the signature stays valid.
func StapleDMG(path string, ticket []byte) error {
	data, koly, end, err := readImage(path)
	if err != nil {
		return err
	}
	entries, err := signatureEntries(dmgSignature(data, koly))
	if err != nil {
		return fmt.Errorf("dmg: not signed: %w", err)
	}
	var kept []indexed
	for _, e := range entries {
		if e.slot != slotTicket {
			kept = append(kept, e)
		}
	}
	sig := superBlob(magicEmbeddedSig, append(kept, indexed{slotTicket, blob(magicBlobWrapper, ticket)}))
	return writeDMG(path, data[:end], sig, koly)
}

// DMGCodeDirectoryHash is the SHA-256 of the CodeDirectory of the signed
// disk image at path, by which its notarization ticket is found.
func DMGCodeDirectoryHash(path string) ([]byte, error) {
	data, koly, _, err := readImage(path)
	if err != nil {
		return nil, err
	}
	entries, err := signatureEntries(dmgSignature(data, koly))
	if err != nil {
		return nil, fmt.Errorf("dmg: not signed: %w", err)
	}
	for _, e := range entries {
		if e.slot == slotCodeDirectory {
			return sum256(e.data), nil
		}
	}
	return nil, errors.New("dmg: its signature has no CodeDirectory")
}

// readImage reads the disk image at path with its trailer (see readKoly).
func readImage(path string) (data, koly []byte, end int, err error) {
	if data, err = os.ReadFile(path); err != nil {
		return nil, nil, 0, err
	}
	if koly, end, err = readKoly(data); err != nil {
		return nil, nil, 0, fmt.Errorf("dmg: %w", err)
	}
	return data, koly, end, nil
}

// readKoly returns a copy of the trailer and where the image's plist ends,
// which is where a signature starts.
func readKoly(data []byte) (koly []byte, end int, err error) {
	if len(data) < kolySize || string(data[len(data)-kolySize:][:4]) != "koly" {
		return nil, 0, errors.New("not a UDIF disk image (no koly trailer)")
	}
	koly = append([]byte(nil), data[len(data)-kolySize:]...)
	be := binary.BigEndian
	plistEnd := be.Uint64(koly[kolyPlistOffset:]) + be.Uint64(koly[kolyPlistLength:])
	if plistEnd > uint64(len(data)-kolySize) {
		return nil, 0, errors.New("its plist lies past the trailer")
	}
	return koly, int(plistEnd), nil
}

func dmgSignature(data, koly []byte) []byte {
	off, size := binary.BigEndian.Uint64(koly[kolySigOffset:]), binary.BigEndian.Uint64(koly[kolySigSize:])
	if off == 0 || size == 0 || off+size > uint64(len(data)-kolySize) {
		return nil
	}
	return data[off : off+size]
}

func writeDMG(path string, body, sig, koly []byte) error {
	binary.BigEndian.PutUint64(koly[kolySigOffset:], uint64(len(body)))
	binary.BigEndian.PutUint64(koly[kolySigSize:], uint64(len(sig)))
	out := make([]byte, 0, len(body)+len(sig)+kolySize)
	out = append(append(append(out, body...), sig...), koly...)
	return replaceFile(path, out, 0o644)
}

// signatureEntries splits an embedded-signature SuperBlob into its blobs.
func signatureEntries(sb []byte) ([]indexed, error) {
	be := binary.BigEndian
	if len(sb) < 12 || be.Uint32(sb) != magicEmbeddedSig {
		return nil, errors.New("no embedded signature")
	}
	n := int(be.Uint32(sb[8:]))
	if 12+8*n > len(sb) {
		return nil, errors.New("truncated signature index")
	}
	out := make([]indexed, 0, n)
	for i := range n {
		slot, at := be.Uint32(sb[12+8*i:]), int(be.Uint32(sb[16+8*i:]))
		if at < 0 || at+8 > len(sb) {
			return nil, errors.New("signature blob out of range")
		}
		size := int(be.Uint32(sb[at+4:]))
		if size < 8 || at+size > len(sb) {
			return nil, errors.New("signature blob out of range")
		}
		out = append(out, indexed{slot, sb[at : at+size]})
	}
	return out, nil
}
