package msi

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/google/uuid"
)

// Summary information properties wixl fills with a random GUID and the
// current time (MS-OLEPS; the MSI SDK's "Summary Information Stream
// Property Set").
const (
	pidRevNumber   = 9  // PackageCode, VT_LPSTR "{XXXXXXXX-…}"
	pidLastPrinted = 11 // VT_FILETIME
	pidCreateDTM   = 12 // VT_FILETIME
	pidLastSaveDTM = 13 // VT_FILETIME

	vtLPSTR    = 30
	vtFILETIME = 64
)

// summaryStream is the summary information stream's name in the compound
// file, UTF-16 as the directory stores it.
const summaryStream = "\x05SummaryInformation"

// makeReproducible rewrites, in place, the only bytes in which two wixl
// builds of the same input differ: the PackageCode (the summary stream's
// revision number) and its times. The times become at, and the PackageCode
// a UUIDv5 in the app's UpgradeCode namespace of the version, the
// architecture and the package's own content with those bytes blanked, so
// the same input always gives the same package and any change to it gives
// a new PackageCode, as Windows Installer expects.
//
// Hand-written because wixl has no option for either, and the Go compound
// file readers (such as richardlehane/mscfb) do not say where a stream's
// bytes lie in the file; the values keep their lengths, so the file's
// layout is untouched.
//
// It works on the file, not a copy in memory: an MSI holds its payload, and
// only the compound file's tables and the summary stream are read whole.
func makeReproducible(path string, upgrade uuid.UUID, version, arch string, at time.Time) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	cf := compoundFile{r: f, size: info.Size()}
	offsets, err := streamOffsets(cf, summaryStream)
	if err != nil {
		return fmt.Errorf("msi: summary information: %w", err)
	}
	stream := make([]byte, len(offsets))
	for i, o := range offsets {
		b, err := cf.read(o, 1)
		if err != nil {
			return fmt.Errorf("msi: summary information: %w", err)
		}
		stream[i] = b[0]
	}
	fields, err := summaryFields(stream)
	if err != nil {
		return fmt.Errorf("msi: summary information: %w", err)
	}
	var revision []int // offsets in stream of the PackageCode's 38 characters
	for _, fl := range fields {
		switch fl.id {
		case pidRevNumber:
			revision = fl.span
		case pidCreateDTM, pidLastSaveDTM, pidLastPrinted:
			copy(fl.bytes(stream), filetime(at))
		}
	}
	if len(revision) != 38 {
		return errors.New("msi: summary information has no PackageCode to replace")
	}
	for _, i := range revision {
		stream[i] = '0'
	}
	for i, o := range offsets { // blanked, to hash the content
		if _, err := f.WriteAt(stream[i:i+1], int64(o)); err != nil {
			return err
		}
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, info.Size())); err != nil {
		return err
	}
	code := "{" + guid(uuid.NewSHA1(upgrade, []byte(fmt.Sprintf("package:%s:%s:%x", version, arch, h.Sum(nil))))) + "}"
	for k, i := range revision {
		if _, err := f.WriteAt([]byte{code[k]}, int64(offsets[i])); err != nil {
			return err
		}
	}
	return f.Close()
}

// compoundFile reads a compound file's sectors on demand.
type compoundFile struct {
	r    io.ReaderAt
	size int64
}

// read returns n bytes at off, or an error naming where the file ends.
func (c compoundFile) read(off, n int) ([]byte, error) {
	if off < 0 || int64(off)+int64(n) > c.size {
		return nil, fmt.Errorf("offset %d beyond the file's %d bytes", off, c.size)
	}
	b := make([]byte, n)
	_, err := c.r.ReadAt(b, int64(off))
	return b, err
}

// field is one property of a property set: its id and the file offsets
// (through the stream's offsets) of its value bytes.
type field struct {
	id   uint32
	span []int // positions in the stream
}

func (f field) bytes(stream []byte) []byte { return stream[f.span[0] : f.span[0]+len(f.span)] }

// summaryFields reads the first section of a property set stream (MS-OLEPS
// 2.21) and returns the revision number's characters and the FILETIME
// values, the fields makeReproducible replaces.
func summaryFields(s []byte) ([]field, error) {
	le := binary.LittleEndian
	if len(s) < 48 || le.Uint16(s) != 0xfffe {
		return nil, errors.New("not a property set")
	}
	sec := int(le.Uint32(s[44:]))
	if sec+8 > len(s) {
		return nil, errors.New("section out of range")
	}
	n := int(le.Uint32(s[sec+4:]))
	var out []field
	for i := 0; i < n; i++ {
		e := sec + 8 + 8*i
		if e+8 > len(s) {
			return nil, errors.New("property list out of range")
		}
		id, off := le.Uint32(s[e:]), sec+int(le.Uint32(s[e+4:]))
		if off+8 > len(s) {
			return nil, errors.New("property out of range")
		}
		typ := le.Uint32(s[off:])
		switch {
		case id == pidRevNumber && typ == vtLPSTR:
			size := int(le.Uint32(s[off+4:]))
			start := off + 8
			if size < 38 || start+38 > len(s) {
				return nil, errors.New("revision number out of range")
			}
			out = append(out, field{id: id, span: seq(start, 38)})
		case typ == vtFILETIME:
			if off+12 > len(s) {
				return nil, errors.New("time out of range")
			}
			out = append(out, field{id: id, span: seq(off+4, 8)})
		}
	}
	return out, nil
}

func seq(start, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = start + i
	}
	return s
}

// filetime is t as a Windows FILETIME: 100 ns intervals since 1601-01-01.
func filetime(t time.Time) []byte {
	const epochDiff = 116444736000000000 // 1601 to 1970, in 100 ns
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, uint64(t.Unix())*10000000+epochDiff)
	return b
}

// streamOffsets returns, for each byte of the named stream in a compound
// file (MS-CFB), its offset in the file.
func streamOffsets(f compoundFile, name string) ([]int, error) {
	le := binary.LittleEndian
	head, err := f.read(0, 512)
	if err != nil || !bytes.Equal(head[:8], []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}) {
		return nil, errors.New("not a compound file")
	}
	secSize := 1 << le.Uint16(head[30:])
	miniSize := 1 << le.Uint16(head[32:])
	if secSize != 512 && secSize != 4096 || miniSize != 64 {
		return nil, errors.New("unexpected sector sizes")
	}
	sector := func(n uint32) int { return (int(n) + 1) * secSize }
	readSector := func(n uint32, what string) ([]byte, error) {
		b, err := f.read(sector(n), secSize)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		return b, nil
	}

	// The FAT's sectors: 109 in the header, the rest in the DIFAT chain.
	var fatSectors []uint32
	for i := 0; i < 109; i++ {
		if s := le.Uint32(head[76+4*i:]); s < 0xfffffffa {
			fatSectors = append(fatSectors, s)
		}
	}
	for d, left := le.Uint32(head[68:]), le.Uint32(head[72:]); d < 0xfffffffa && left > 0; left-- {
		sec, err := readSector(d, "DIFAT")
		if err != nil {
			return nil, err
		}
		for i := 0; i < secSize/4-1; i++ {
			if s := le.Uint32(sec[4*i:]); s < 0xfffffffa {
				fatSectors = append(fatSectors, s)
			}
		}
		d = le.Uint32(sec[secSize-4:])
	}
	// table reads the 32-bit entries of a FAT or mini FAT from its sectors.
	table := func(secs []uint32, what string) ([]uint32, error) {
		var t []uint32
		for _, s := range secs {
			sec, err := readSector(s, what)
			if err != nil {
				return nil, err
			}
			for i := 0; i < secSize/4; i++ {
				t = append(t, le.Uint32(sec[4*i:]))
			}
		}
		return t, nil
	}
	fat, err := table(fatSectors, "FAT")
	if err != nil {
		return nil, err
	}
	// chain follows a FAT from start and returns the file offset of each
	// sector; it stops at a loop or a bad index instead of running forever.
	chain := func(table []uint32, start uint32) ([]uint32, error) {
		var out []uint32
		for s := start; s < 0xfffffffa; s = table[s] {
			if int(s) >= len(table) || len(out) > len(table) {
				return nil, errors.New("broken sector chain")
			}
			out = append(out, s)
		}
		return out, nil
	}
	dirSectors, err := chain(fat, le.Uint32(head[48:]))
	if err != nil {
		return nil, err
	}
	var dir []byte
	for _, s := range dirSectors {
		sec, err := readSector(s, "directory")
		if err != nil {
			return nil, err
		}
		dir = append(dir, sec...)
	}
	want := utf16.Encode([]rune(name))
	var root, entry []byte
	for e := 0; e+128 <= len(dir); e += 128 {
		d := dir[e : e+128]
		switch {
		case d[66] == 5:
			root = d
		case d[66] == 2 && int(le.Uint16(d[64:])) == 2*(len(want)+1) && nameIs(d, want):
			entry = d
		}
	}
	if root == nil || entry == nil {
		return nil, fmt.Errorf("no stream %q", strings.TrimLeft(name, "\x05"))
	}
	size := int(le.Uint32(entry[120:]))
	start := le.Uint32(entry[116:])
	fileLen := int(f.size)
	if size >= int(le.Uint32(head[56:])) { // a regular stream
		secs, err := chain(fat, start)
		if err != nil {
			return nil, err
		}
		return spread(secs, sector, secSize, size, fileLen)
	}
	// A small stream lives in the mini stream, which is the root entry's
	// regular stream, in 64-byte mini sectors chained by the mini FAT.
	miniFATSecs, err := chain(fat, le.Uint32(head[60:]))
	if err != nil {
		return nil, err
	}
	miniFAT, err := table(miniFATSecs, "mini FAT")
	if err != nil {
		return nil, err
	}
	rootSecs, err := chain(fat, le.Uint32(root[116:]))
	if err != nil {
		return nil, err
	}
	miniStream, err := spread(rootSecs, sector, secSize, len(rootSecs)*secSize, fileLen)
	if err != nil {
		return nil, err
	}
	minis, err := chain(miniFAT, start)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, m := range minis {
		for i := 0; i < miniSize && len(out) < size; i++ {
			p := int(m)*miniSize + i
			if p >= len(miniStream) {
				return nil, errors.New("mini sector out of range")
			}
			out = append(out, miniStream[p])
		}
	}
	if len(out) != size {
		return nil, errors.New("stream shorter than its size")
	}
	return out, nil
}

// spread lists the file offsets of the first size bytes held by sectors.
func spread(secs []uint32, sector func(uint32) int, secSize, size, fileLen int) ([]int, error) {
	out := make([]int, 0, size)
	for _, s := range secs {
		for i := 0; i < secSize && len(out) < size; i++ {
			if sector(s)+i >= fileLen {
				return nil, errors.New("sector out of range")
			}
			out = append(out, sector(s)+i)
		}
	}
	if len(out) != size {
		return nil, errors.New("stream shorter than its size")
	}
	return out, nil
}

// nameIs reports whether a directory entry's UTF-16 name is want.
func nameIs(d []byte, want []uint16) bool {
	for i, c := range want {
		if binary.LittleEndian.Uint16(d[2*i:]) != c {
			return false
		}
	}
	return true
}
