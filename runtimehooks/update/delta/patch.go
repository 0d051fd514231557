// Package delta applies bundle's binary deltas: a delta turns the files of
// an installed version into those of the next, so an update downloads what
// changed instead of the whole archive. It is the standard library only,
// like the rest of the client.
//
// A delta file is a gzip-compressed tar archive. Its first entry, delta.json, is a
// Manifest listing every file of the new version: kept from the old
// version, patched from an old file, stored whole, or a symbolic link,
// each with the SHA-256 it must end with. A patch is bsdiff's idea (Colin
// Percival, "Naive differences of executable code", 2003) in a layout of
// this package's own, so that the client needs no compressor beyond
// compress/flate:
//
//	"BDPATCH1"                        magic
//	new size, control, diff and extra lengths   four uint64, little-endian
//	control                           raw DEFLATE of (add, copy uvarint; seek varint) triples
//	diff                              raw DEFLATE: bytes added to the old file's bytes
//	extra                             raw DEFLATE: bytes of the new file found nowhere in the old
//
// For each triple: add bytes are the old file's bytes at the old position
// plus the next diff bytes (mod 256); then copy bytes come from extra; then
// the old position moves by seek. Code that moved changes mostly in the
// addresses it holds, so the diff bytes are mostly zero and compress well.
package delta

import (
	"bufio"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Magic starts every patch.
const Magic = "BDPATCH1"

// headerSize is the magic and the four lengths.
const headerSize = len(Magic) + 4*8

// maxFile bounds what a patch may say it makes: a larger size is a
// corrupt patch, not a file to allocate for.
const maxFile = 1 << 40

var errCorrupt = errors.New("corrupt patch")

// Patch writes to w the file that patch makes of old.
func Patch(old io.ReaderAt, oldSize int64, patch io.ReaderAt, patchSize int64, w io.Writer) error {
	var h [headerSize]byte
	if _, err := patch.ReadAt(h[:], 0); err != nil || string(h[:len(Magic)]) != Magic {
		return fmt.Errorf("%w: no %s header", errCorrupt, Magic)
	}
	le := binary.LittleEndian
	newSize := le.Uint64(h[len(Magic):])
	lens := [3]uint64{le.Uint64(h[len(Magic)+8:]), le.Uint64(h[len(Magic)+16:]), le.Uint64(h[len(Magic)+24:])}
	if newSize > maxFile || lens[0]+lens[1]+lens[2] != uint64(patchSize)-uint64(headerSize) {
		return fmt.Errorf("%w: its lengths do not add up", errCorrupt)
	}
	var blocks [3]*bufio.Reader
	off := int64(headerSize)
	for i, n := range lens {
		blocks[i] = bufio.NewReader(flate.NewReader(io.NewSectionReader(patch, off, int64(n))))
		off += int64(n)
	}
	ctrl, diff, extra := blocks[0], blocks[1], blocks[2]
	out := bufio.NewWriter(w)
	var oldPos int64
	buf, oldBuf := make([]byte, 32*1024), make([]byte, 32*1024)
	for written := uint64(0); written < newSize; {
		add, err1 := binary.ReadUvarint(ctrl)
		cp, err2 := binary.ReadUvarint(ctrl)
		seek, err3 := binary.ReadVarint(ctrl)
		if err := errors.Join(err1, err2, err3); err != nil || add > newSize-written || cp > newSize-written-add {
			return fmt.Errorf("%w: bad control at %d", errCorrupt, written)
		}
		for left := add; left > 0; {
			n := min(left, uint64(len(buf)))
			chunk := buf[:n]
			if _, err := io.ReadFull(diff, chunk); err != nil {
				return fmt.Errorf("%w: diff: %v", errCorrupt, err)
			}
			// Old bytes past either end count as zero, as bsdiff's do.
			from := oldBuf[:n]
			clear(from)
			if lo, hi := max(oldPos, 0), min(oldPos+int64(n), oldSize); lo < hi {
				if _, err := old.ReadAt(from[lo-oldPos:hi-oldPos], lo); err != nil && err != io.EOF {
					return err
				}
			}
			for i := range chunk {
				chunk[i] += from[i]
			}
			if _, err := out.Write(chunk); err != nil {
				return err
			}
			oldPos += int64(n)
			left -= n
		}
		if _, err := io.CopyN(out, extra, int64(cp)); err != nil {
			return fmt.Errorf("%w: extra: %v", errCorrupt, err)
		}
		oldPos += seek
		written += add + cp
	}
	return out.Flush()
}
