// Package udif writes Apple's Universal Disk Image Format: the container
// of a compressed .dmg (what `hdiutil create -format UDZO` makes).
//
// An image is three parts, written one after the other so a plain
// io.Writer will do:
//
//   - the data fork: the volume cut into chunks of 2048 sectors (1 MiB),
//     each stored zlib-compressed (0x80000005), raw (0x00000001) when zlib
//     does not make it smaller, or not at all (0x00000002) when it is all
//     zeros;
//   - an XML property list, the "resource fork": a blkx array with one
//     entry per partition, whose Data is a mish block table (a 204-byte
//     header and one 40-byte run per chunk, ending with a terminator run
//     0xffffffff), and the plst entry hdiutil always writes;
//   - the 512-byte koly trailer: version 4, data fork and plist offsets and
//     lengths, the sector count, a segment id and two CRC-32 checksums.
//
// The image holds one partition with no partition map, the layout
// `hdiutil create -layout NONE` makes: a blkx entry named like "whole disk
// (Apple_HFS : 0)" with ID 0 and block descriptor -2, and image variant 2
// in the trailer. macOS attaches such an image as a disk whose whole
// extent is the volume and mounts it.
//
// Checksums are the ones hdiutil writes and verifies on attach: the data
// fork's is the CRC-32 of the stored bytes; a partition's is the CRC-32 of
// the bytes its data runs decompress to (type 0x00000002 runs, which hold
// no data, are left out, as 7-Zip's reader also expects); the master
// checksum is the CRC-32 of the partitions' checksums, four big-endian
// bytes each.
//
// Nothing random goes in: the segment id, a UUID in hdiutil's images, is
// derived from a SHA-256 of the volume, so the same volume gives the same
// image byte for byte.
//
// Written from the published descriptions of the format (Jonathan Levin's
// "Demystifying the DMG file format", libdmg-hfsplus, dmg2img, 7-Zip's
// reader); no library writes it in Go.
package udif

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"strings"

	"github.com/bundlekit/bundle/templates"
)

// SectorSize is the unit of every offset and length in a block table.
const SectorSize = 512

// Chunk types of a block table run.
const (
	ChunkZeroFill   uint32 = 0x00000000 // zeros, checksummed (read, never written here)
	ChunkRaw        uint32 = 0x00000001 // stored as is
	ChunkIgnore     uint32 = 0x00000002 // zeros, outside the checksum: hdiutil's unused space
	ChunkZlib       uint32 = 0x80000005
	ChunkComment    uint32 = 0x7ffffffe
	ChunkTerminator uint32 = 0xffffffff
)

const (
	chunkSectors  = 2048 // 1 MiB of volume per chunk, as hdiutil cuts them
	kolySize      = 512
	mishHeader    = 204
	runSize       = 40
	checksumCRC32 = 2
	// wholeDisk is the block descriptor of the one partition of an image
	// without a partition map.
	wholeDisk = 0xfffffffe
	// partitionImage is the trailer's image variant for such an image.
	partitionImage = 2
	// flattened says data fork and resource fork live in one file.
	flattened = 1
)

// ErrNotSectors is returned for a volume whose size is not a whole number
// of 512-byte sectors: a disk image holds sectors, and padding would hand
// the reader a different volume than the one it was given.
var ErrNotSectors = errors.New("udif: volume size is not a multiple of 512 bytes")

// run is one row of a block table.
type run struct {
	kind            uint32
	sector, sectors uint64 // relative to the partition
	offset, length  uint64 // in the file
}

// Write writes volume, size bytes long, to w as a zlib-compressed UDIF
// image holding one partition called name (hdiutil's form: "whole disk
// (Apple_HFS : 0)").
func Write(ctx context.Context, w io.Writer, volume io.Reader, size int64, name string) error {
	if size%SectorSize != 0 {
		return ErrNotSectors
	}
	if size <= 0 {
		return errors.New("udif: empty volume")
	}
	cw := &countWriter{w: w, crc: crc32.NewIEEE()}
	zw, err := newCompressor()
	if err != nil {
		return err
	}
	sum := sha256.New()
	dataCRC := crc32.NewIEEE() // of the bytes the data runs hold
	buf := make([]byte, chunkSectors*SectorSize)
	var runs []run
	var compressed bytes.Buffer
	for done := int64(0); done < size; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(int64(len(buf)), size-done)
		chunk := buf[:n]
		if _, err := io.ReadFull(volume, chunk); err != nil {
			return fmt.Errorf("udif: read volume at %d: %w", done, err)
		}
		sum.Write(chunk)
		r := run{sector: uint64(done / SectorSize), sectors: uint64(n / SectorSize), offset: cw.n}
		switch {
		case done > 0 && allZero(chunk):
			// The first chunk is stored even when it is zeros: with no
			// data fork the plist would start at offset 0, which readers
			// such as dmg2img take for "no plist".
			r.kind = ChunkIgnore
			// Ignore runs need no data; join them into one as hdiutil does.
			if last := len(runs) - 1; last >= 0 && runs[last].kind == ChunkIgnore {
				runs[last].sectors += r.sectors
				done += n
				continue
			}
		default:
			dataCRC.Write(chunk)
			compressed.Reset()
			if err := zw.compress(&compressed, chunk); err != nil {
				return err
			}
			stored := compressed.Bytes()
			r.kind = ChunkZlib
			if len(stored) >= len(chunk) {
				r.kind, stored = ChunkRaw, chunk
			}
			if _, err := cw.Write(stored); err != nil {
				return fmt.Errorf("udif: %w", err)
			}
			r.length = uint64(len(stored))
		}
		runs = append(runs, r)
		done += n
	}
	sectors := uint64(size / SectorSize)
	runs = append(runs, run{kind: ChunkTerminator, sector: sectors, offset: cw.n})

	partCRC := dataCRC.Sum32()
	table := blockTable(sectors, runs, partCRC)
	var master [4]byte
	binary.BigEndian.PutUint32(master[:], partCRC)

	dataLen, dataSum := cw.n, cw.crc.Sum32()
	plist, err := resourceFork([]partition{{Name: name, ID: 0, Table: table}})
	if err != nil {
		return err
	}
	if _, err := cw.Write(plist); err != nil {
		return fmt.Errorf("udif: %w", err)
	}
	k := koly{
		dataLength: uint64(dataLen),
		dataCRC:    dataSum,
		xmlOffset:  uint64(dataLen),
		xmlLength:  uint64(len(plist)),
		masterCRC:  crc32.ChecksumIEEE(master[:]),
		sectors:    sectors,
		segmentID:  segmentID(sum.Sum(nil)),
	}
	if _, err := cw.Write(k.bytes()); err != nil {
		return fmt.Errorf("udif: %w", err)
	}
	return nil
}

// blockTable encodes a mish table for a partition starting at sector 0.
func blockTable(sectors uint64, runs []run, crc uint32) []byte {
	b := make([]byte, mishHeader, mishHeader+runSize*len(runs))
	be := binary.BigEndian
	copy(b, "mish")
	be.PutUint32(b[4:], 1) // version
	be.PutUint64(b[8:], 0) // first sector
	be.PutUint64(b[16:], sectors)
	be.PutUint64(b[24:], 0) // data offset: runs give file offsets
	// Sectors a reader must buffer to decompress one chunk, as hdiutil
	// writes it for 2048-sector chunks.
	be.PutUint32(b[32:], chunkSectors+8)
	be.PutUint32(b[36:], wholeDisk)
	putChecksum(b[64:], crc)
	be.PutUint32(b[200:], uint32(len(runs)))
	for _, r := range runs {
		var e [runSize]byte
		be.PutUint32(e[0:], r.kind)
		be.PutUint64(e[8:], r.sector)
		be.PutUint64(e[16:], r.sectors)
		be.PutUint64(e[24:], r.offset)
		be.PutUint64(e[32:], r.length)
		b = append(b, e[:]...)
	}
	return b
}

// putChecksum writes a UDIF checksum: type, size in bits, 128 bytes of
// value of which CRC-32 uses the first four.
func putChecksum(b []byte, crc uint32) {
	binary.BigEndian.PutUint32(b[0:], checksumCRC32)
	binary.BigEndian.PutUint32(b[4:], 32)
	binary.BigEndian.PutUint32(b[8:], crc)
}

// koly is the trailer's variable part.
type koly struct {
	dataLength, xmlOffset, xmlLength, sectors uint64
	dataCRC, masterCRC                        uint32
	segmentID                                 [16]byte
}

func (k koly) bytes() []byte {
	b := make([]byte, kolySize)
	be := binary.BigEndian
	copy(b, "koly")
	be.PutUint32(b[4:], 4) // version
	be.PutUint32(b[8:], kolySize)
	be.PutUint32(b[12:], flattened)
	// 16: running data fork offset, 24: data fork offset, both 0.
	be.PutUint64(b[32:], k.dataLength)
	// 40, 48: resource fork offset and length; the plist replaces it.
	be.PutUint32(b[56:], 1) // segment number
	be.PutUint32(b[60:], 1) // segment count
	copy(b[64:80], k.segmentID[:])
	putChecksum(b[80:], k.dataCRC)
	be.PutUint64(b[216:], k.xmlOffset)
	be.PutUint64(b[224:], k.xmlLength)
	putChecksum(b[352:], k.masterCRC)
	be.PutUint32(b[488:], partitionImage)
	be.PutUint64(b[492:], k.sectors)
	return b
}

// segmentID makes a UUID (version 8: vendor-defined) from the volume's
// hash, where hdiutil would take a random one.
func segmentID(hash []byte) [16]byte {
	var id [16]byte
	copy(id[:], hash)
	id[6] = id[6]&0x0f | 0x80
	id[8] = id[8]&0x3f | 0x80
	return id
}

// partition is one blkx entry of the resource fork.
type partition struct {
	Name  string
	ID    int
	Table []byte
}

// plst is the resource hdiutil puts in every image: 1032 bytes, zero but
// for two flags whose meaning is not published.
func plst() []byte {
	b := make([]byte, 1032)
	b[517], b[519] = 1, 1
	return b
}

// resourceFork renders the XML property list.
func resourceFork(parts []partition) ([]byte, error) {
	type entry struct {
		Name string
		ID   int
		Data string
	}
	var blkx []entry
	for _, p := range parts {
		blkx = append(blkx, entry{p.Name, p.ID, base64Lines(p.Table)})
	}
	b, err := templates.Render("macos/udif.plist.tmpl", map[string]any{"Blkx": blkx, "Plst": base64Lines(plst())})
	if err != nil {
		return nil, fmt.Errorf("udif: %w", err)
	}
	return b, nil
}

// base64Lines encodes data in lines of 52 characters, indented the way
// Apple's property list writer lays out <data>.
func base64Lines(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 0 {
		n := min(52, len(s))
		b.WriteString("\t\t\t\t" + s[:n] + "\n")
		s = s[n:]
	}
	return b.String()
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// countWriter counts and checksums what passes through it.
type countWriter struct {
	w   io.Writer
	n   uint64
	crc hash.Hash32
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += uint64(n)
	c.crc.Write(p[:n])
	return n, err
}

// compressor zlib-compresses one chunk at a time, reusing its state.
type compressor struct{ zw *zlib.Writer }

func newCompressor() (*compressor, error) {
	zw, err := zlib.NewWriterLevel(io.Discard, zlib.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("udif: %w", err)
	}
	return &compressor{zw}, nil
}

// compress writes chunk to dst as one complete zlib stream.
func (c *compressor) compress(dst io.Writer, chunk []byte) error {
	c.zw.Reset(dst)
	if _, err := c.zw.Write(chunk); err != nil {
		return fmt.Errorf("udif: zlib: %w", err)
	}
	if err := c.zw.Close(); err != nil {
		return fmt.Errorf("udif: zlib: %w", err)
	}
	return nil
}
