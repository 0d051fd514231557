package udif

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testtool"
)

const mib = chunkSectors * SectorSize

// volume builds a test volume from pieces.
func volume(pieces ...[]byte) []byte { return bytes.Join(pieces, nil) }

func zeros(n int) []byte { return make([]byte, n) }

func random(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, seed))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func text(n int) []byte {
	return bytes.Repeat([]byte("bundle makes release artifacts. "), n/32+1)[:n]
}

var cases = []struct {
	name string
	vol  []byte
	runs []uint32 // the kinds of the block table's runs, terminator left out
}{
	{"one sector", text(SectorSize), []uint32{ChunkZlib}},
	{"one random sector", random(SectorSize, 1), []uint32{ChunkRaw}},
	{"all zero", zeros(3*mib + 5*SectorSize), []uint32{ChunkZlib, ChunkIgnore}},
	{"incompressible", random(2*mib+3*SectorSize, 2), []uint32{ChunkRaw, ChunkRaw, ChunkRaw}},
	{"mixed", volume(text(mib), zeros(2*mib), random(mib, 3), zeros(mib), text(7*SectorSize)),
		[]uint32{ChunkZlib, ChunkIgnore, ChunkRaw, ChunkIgnore, ChunkZlib}},
	{"zero tail in a chunk", volume(text(SectorSize), zeros(mib)), []uint32{ChunkZlib, ChunkIgnore}},
}

// TestWrite writes each volume and reads it back with the parser below,
// which checks every field of trailer, property list and block table.
func TestWrite(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img := write(t, tc.vol)
			got, err := parse(img)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.raw, tc.vol) {
				t.Fatalf("the image reads back as %d other bytes, want the %d of the volume", len(got.raw), len(tc.vol))
			}
			if !slices.Equal(got.kinds, tc.runs) {
				t.Errorf("runs %#x, want %#x", got.kinds, tc.runs)
			}
			if again := write(t, tc.vol); !bytes.Equal(again, img) {
				t.Error("two images of the same volume differ")
			}
		})
	}
}

// TestSegmentID: the id comes from the content, so another volume of the
// same size gets another id, and the id is a well-formed UUID.
func TestSegmentID(t *testing.T) {
	a, _ := parse(write(t, text(mib)))
	b, _ := parse(write(t, random(mib, 9)))
	if a == nil || b == nil {
		t.Fatal("unreadable image")
	}
	if a.segmentID == b.segmentID {
		t.Error("two volumes share a segment id")
	}
	if a.segmentID[6]>>4 != 8 || a.segmentID[8]>>6 != 2 {
		t.Errorf("segment id %x is not a version 8 UUID", a.segmentID)
	}
}

// TestRefuse: sizes that are not sectors, and volumes shorter than said.
func TestRefuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		vol  []byte
		size int64
		want string
	}{
		{"odd size", text(1000), 1000, "multiple of 512"},
		{"one byte over", text(SectorSize + 1), SectorSize + 1, "multiple of 512"},
		{"empty", nil, 0, "empty volume"},
		{"short volume", text(SectorSize), 4 * SectorSize, "read volume at 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Write(context.Background(), &out, bytes.NewReader(tc.vol), tc.size, "whole disk (Apple_HFS : 0)")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Write(ctx, io.Discard, bytes.NewReader(text(mib)), mib, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestParserCatchesDamage proves the parser is not a rubber stamp: each
// flipped field of a good image is reported.
func TestParserCatchesDamage(t *testing.T) {
	good := write(t, volume(text(mib), zeros(mib), random(SectorSize, 4)))
	k := len(good) - kolySize
	for _, tc := range []struct {
		name string
		at   int
	}{
		{"data fork byte", 100},
		{"koly signature", k},
		{"koly version", k + 7},
		{"data fork checksum", k + 91},
		{"master checksum", k + 363},
		{"image variant", k + 491},
		{"sector count", k + 499},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := slices.Clone(good)
			bad[tc.at] ^= 0x40
			if _, err := parse(bad); err == nil {
				t.Error("damage not found")
			}
		})
	}
}

// TestTools: dmg2img turns each image back into the volume byte for byte,
// and 7-Zip tests it, which checks the data fork, master and partition
// checksums the way Apple's tools compute them.
func TestTools(t *testing.T) {
	testtool.Need(t, "dmg2img", "dmg2img")
	testtool.Need(t, "7zip", "7zz")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			dmg, raw := filepath.Join(dir, "v.dmg"), filepath.Join(dir, "v.img")
			if err := os.WriteFile(dmg, write(t, tc.vol), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command("dmg2img", "-s", dmg, raw).CombinedOutput(); err != nil {
				t.Fatalf("dmg2img: %v\n%s", err, out)
			}
			got, err := os.ReadFile(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.vol) {
				t.Errorf("dmg2img gives %d bytes that differ from the %d of the volume", len(got), len(tc.vol))
			}
			out, err := exec.Command("7zz", "t", "-tdmg", dmg).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "Everything is Ok") || strings.Contains(string(out), "Warning") {
				t.Errorf("7zz t: %v\n%s", err, out)
			}
			list, _ := exec.Command("7zz", "l", "-slt", "-tdmg", dmg).CombinedOutput()
			if !strings.Contains(string(list), "whole disk (Apple_HFS : 0)") || !strings.Contains(string(list), fmt.Sprintf("Size = %d", len(tc.vol))) {
				t.Errorf("7zz l does not show the partition:\n%s", list)
			}
		})
	}
}

func write(t *testing.T, vol []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := Write(context.Background(), &out, bytes.NewReader(vol), int64(len(vol)), "whole disk (Apple_HFS : 0)"); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// image is what parse found.
type image struct {
	raw       []byte
	kinds     []uint32
	segmentID [16]byte
}

// parse reads a UDIF image the way a reader that trusts nothing would:
// the koly trailer, the property list and its blkx and plst entries, every
// run of every block table, decompressing each chunk, and all checksums.
func parse(img []byte) (*image, error) {
	be := binary.BigEndian
	if len(img) < kolySize {
		return nil, errors.New("shorter than a trailer")
	}
	k := img[len(img)-kolySize:]
	switch {
	case string(k[:4]) != "koly":
		return nil, errors.New("no koly signature")
	case be.Uint32(k[4:]) != 4 || be.Uint32(k[8:]) != kolySize || be.Uint32(k[12:]) != flattened:
		return nil, fmt.Errorf("version %d, header size %d, flags %d", be.Uint32(k[4:]), be.Uint32(k[8:]), be.Uint32(k[12:]))
	case be.Uint64(k[16:]) != 0 || be.Uint64(k[24:]) != 0 || be.Uint64(k[40:]) != 0 || be.Uint64(k[48:]) != 0:
		return nil, errors.New("fork offsets")
	case be.Uint32(k[56:]) != 1 || be.Uint32(k[60:]) != 1:
		return nil, errors.New("segment number and count")
	case be.Uint32(k[488:]) != partitionImage:
		return nil, fmt.Errorf("image variant %d", be.Uint32(k[488:]))
	case !allZero(k[232:352]) || !allZero(k[500:]):
		return nil, errors.New("reserved bytes set")
	}
	dataLen, xmlOff, xmlLen := be.Uint64(k[32:]), be.Uint64(k[216:]), be.Uint64(k[224:])
	if xmlOff != dataLen || xmlOff+xmlLen != uint64(len(img)-kolySize) {
		return nil, fmt.Errorf("data fork %d, plist at %d+%d in %d bytes", dataLen, xmlOff, xmlLen, len(img))
	}
	fork := img[:dataLen]
	if err := checkCRC(k[80:], crc32.ChecksumIEEE(fork), "data fork"); err != nil {
		return nil, err
	}
	res, err := parsePlist(img[xmlOff : xmlOff+xmlLen])
	if err != nil {
		return nil, err
	}
	if len(res["plst"]) != 1 || !bytes.Equal(res["plst"][0]["Data"].([]byte), plst()) {
		return nil, errors.New("plst entry")
	}
	out := &image{}
	copy(out.segmentID[:], k[64:80])
	var master []byte
	for _, part := range res["blkx"] {
		if part["Name"] != part["CFName"] || part["Attributes"] != "0x0050" || part["ID"] != "0" {
			return nil, fmt.Errorf("blkx entry %v", part)
		}
		table := part["Data"].([]byte)
		raw, kinds, err := parseTable(table, fork, uint64(len(out.raw)/SectorSize))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", part["Name"], err)
		}
		out.raw = append(out.raw, raw...)
		out.kinds = append(out.kinds, kinds...)
		master = append(master, table[72:76]...)
	}
	if len(res["blkx"]) != 1 {
		return nil, fmt.Errorf("%d partitions", len(res["blkx"]))
	}
	if err := checkCRC(k[352:], crc32.ChecksumIEEE(master), "master"); err != nil {
		return nil, err
	}
	if uint64(len(out.raw)) != be.Uint64(k[492:])*SectorSize {
		return nil, fmt.Errorf("sector count %d, partitions hold %d bytes", be.Uint64(k[492:]), len(out.raw))
	}
	return out, nil
}

// parseTable reads a mish block table and returns the bytes it stands for.
func parseTable(t, fork []byte, first uint64) ([]byte, []uint32, error) {
	be := binary.BigEndian
	if len(t) < mishHeader || string(t[:4]) != "mish" || be.Uint32(t[4:]) != 1 {
		return nil, nil, errors.New("no mish header")
	}
	start, sectors := be.Uint64(t[8:]), be.Uint64(t[16:])
	if start != first || be.Uint64(t[24:]) != 0 || be.Uint32(t[32:]) != chunkSectors+8 || be.Uint32(t[36:]) != wholeDisk {
		return nil, nil, errors.New("mish header fields")
	}
	n := be.Uint32(t[200:])
	if len(t) != mishHeader+runSize*int(n) {
		return nil, nil, fmt.Errorf("%d runs in %d bytes", n, len(t))
	}
	var raw, data []byte
	var kinds []uint32
	next := uint64(0) // the next file offset a data run must start at
	for i := range int(n) {
		e := t[mishHeader+runSize*i:]
		kind, sector, count, off, length := be.Uint32(e), be.Uint64(e[8:]), be.Uint64(e[16:]), be.Uint64(e[24:]), be.Uint64(e[32:])
		if sector*SectorSize != uint64(len(raw)) {
			return nil, nil, fmt.Errorf("run %d starts at sector %d, not %d", i, sector, len(raw)/SectorSize)
		}
		if kind == ChunkTerminator {
			if i != int(n)-1 || count != 0 || length != 0 || off != next {
				return nil, nil, fmt.Errorf("terminator %d of %d", i, n)
			}
			break
		}
		if i == int(n)-1 {
			return nil, nil, errors.New("no terminator")
		}
		if kind == ChunkComment {
			continue
		}
		if count == 0 || count > chunkSectors && kind != ChunkIgnore && kind != ChunkZeroFill {
			return nil, nil, fmt.Errorf("run %d holds %d sectors", i, count)
		}
		size := count * SectorSize
		switch kind {
		case ChunkIgnore, ChunkZeroFill:
			if length != 0 {
				return nil, nil, fmt.Errorf("zero run %d stores %d bytes", i, length)
			}
			raw = append(raw, make([]byte, size)...)
			kinds = append(kinds, kind)
			if kind == ChunkZeroFill { // its zeros count in the checksum
				data = append(data, make([]byte, size)...)
			}
			continue
		case ChunkRaw, ChunkZlib:
		default:
			return nil, nil, fmt.Errorf("run %d has type %#x", i, kind)
		}
		if off != next || off+length > uint64(len(fork)) {
			return nil, nil, fmt.Errorf("run %d at %d+%d, want it at %d in a %d-byte fork", i, off, length, next, len(fork))
		}
		stored := fork[off : off+length]
		next = off + length
		chunk := stored
		if kind == ChunkZlib {
			zr, err := zlib.NewReader(bytes.NewReader(stored))
			if err != nil {
				return nil, nil, fmt.Errorf("run %d: %w", i, err)
			}
			chunk, err = io.ReadAll(zr)
			if err != nil {
				return nil, nil, fmt.Errorf("run %d: %w", i, err)
			}
			if len(stored) >= len(chunk) {
				return nil, nil, fmt.Errorf("zlib run %d is no smaller than its data", i)
			}
		}
		if uint64(len(chunk)) != size {
			return nil, nil, fmt.Errorf("run %d gives %d bytes for %d sectors", i, len(chunk), count)
		}
		kinds = append(kinds, kind)
		raw = append(raw, chunk...)
		data = append(data, chunk...)
	}
	if uint64(len(raw)) != sectors*SectorSize {
		return nil, nil, fmt.Errorf("runs give %d bytes for %d sectors", len(raw), sectors)
	}
	if err := checkCRC(t[64:], crc32.ChecksumIEEE(data), "partition"); err != nil {
		return nil, nil, err
	}
	return raw, kinds, nil
}

func checkCRC(b []byte, want uint32, what string) error {
	be := binary.BigEndian
	if be.Uint32(b) != checksumCRC32 || be.Uint32(b[4:]) != 32 || !allZero(b[12:136]) {
		return fmt.Errorf("%s checksum is not a CRC-32", what)
	}
	if got := be.Uint32(b[8:]); got != want {
		return fmt.Errorf("%s checksum %08x, content gives %08x", what, got, want)
	}
	return nil
}

// parsePlist reads resource-fork: key → array of entries, each a map of
// the entry's keys to a string or, for <data>, the decoded bytes.
func parsePlist(b []byte) (map[string][]map[string]any, error) {
	var doc struct {
		Dict struct {
			Key  string `xml:"key"`
			Dict struct {
				Inner []byte `xml:",innerxml"`
			} `xml:"dict"`
		} `xml:"dict"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("plist: %w", err)
	}
	if doc.Dict.Key != "resource-fork" {
		return nil, errors.New("plist has no resource-fork")
	}
	dec := xml.NewDecoder(bytes.NewReader(doc.Dict.Dict.Inner))
	out := map[string][]map[string]any{}
	var key, field, resource string
	var entry map[string]any
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("plist: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			if ee, ok := tok.(xml.EndElement); ok && ee.Name.Local == "dict" {
				out[resource] = append(out[resource], entry)
				entry = nil
			}
			continue
		}
		switch se.Name.Local {
		case "array":
			resource = key
		case "dict":
			entry = map[string]any{}
		case "key", "string", "data":
			var v string
			if err := dec.DecodeElement(&v, &se); err != nil {
				return nil, err
			}
			switch {
			case se.Name.Local == "key" && entry == nil:
				key = v
			case se.Name.Local == "key":
				field = v
			case se.Name.Local == "data":
				d, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v), ""))
				if err != nil {
					return nil, fmt.Errorf("plist %s: %w", field, err)
				}
				entry[field] = d
			default:
				entry[field] = v
			}
		}
	}
}
