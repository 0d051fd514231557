// Package macho merges thin darwin executables into one universal ("fat")
// Mach-O binary and reads such a binary back.
//
// debug/macho parses the thin inputs; the fat writer is ours because the
// standard library only reads fat files. (Its tests also check the ad-hoc
// signature Go's linker puts on darwin/arm64 executables.)
//
// The layout Universal writes is the one llvm-lipo writes: a big-endian
// fat_header and one fat_arch per slice, slices sorted by CPU type, each
// starting at a multiple of its alignment (2^12 for x86_64, 2^14 for
// arm64), zero padding in between and nothing after the last slice. Slices
// are copied byte for byte, so a signature made for the thin file stays
// valid inside the fat one: code-signature offsets are relative to the
// start of the slice.
package macho

import (
	"bytes"
	"debug/macho"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sort"
)

// Fat-file magic numbers, stored big-endian at offset 0. fatMagic64 is the
// variant whose fat_arch records carry 64-bit offsets and sizes.
const (
	fatMagic   = 0xcafebabe
	fatMagic64 = 0xcafebabf

	fatHeaderSize  = 8  // magic, nfat_arch
	fatArchSize    = 20 // cputype, cpusubtype, offset, size, align
	fatArch64Size  = 32 // cputype, cpusubtype, offset(64), size(64), align, reserved
	maxFatArchs    = 64 // far more than any real file; guards against garbage counts
	alignX86_64    = 12 // log2 of the x86_64 slice alignment (a 4 KiB page)
	alignArm64     = 14 // log2 of the arm64 slice alignment (a 16 KiB page)
	maxAlignAccept = 31 // largest alignment exponent Slices accepts
)

// Slice is one architecture of a universal binary.
type Slice struct {
	CPU    string // "amd64", "arm64", or "cpu(0x…)" for a CPU type bundle doesn't build for
	Offset uint64 // where the slice starts in the fat file
	Size   uint64 // length of the slice in bytes
	Align  uint32 // log2 of the slice's alignment, as stored in fat_arch
	Data   []byte // the slice itself: a complete thin Mach-O file
}

// thin is one validated input of Universal.
type thin struct {
	cpu    macho.Cpu
	sub    uint32 // cpusubtype exactly as in the Mach-O header, capability bits included
	align  uint32 // log2
	offset uint64 // assigned by layout
	data   []byte
}

// Universal merges thin Mach-O executables (darwin/amd64 and darwin/arm64)
// into one fat binary written to w: a big-endian fat_header and one fat_arch
// per slice (cputype and cpusubtype read with debug/macho), then the slices
// copied unchanged, arm64 slices aligned to 2^14 and x86_64 slices to 2^12,
// sorted by CPU type so the layout does not depend on the argument order.
// The output is byte-identical to `llvm-lipo -create`.
func Universal(w io.Writer, slices ...[]byte) error {
	if len(slices) == 0 {
		return fmt.Errorf("macho: no slices to merge")
	}
	thins := make([]thin, 0, len(slices))
	seen := map[macho.Cpu]int{}
	for i, data := range slices {
		t, err := parseThin(data)
		if err != nil {
			return fmt.Errorf("macho: slice %d: %w", i, err)
		}
		if j, dup := seen[t.cpu]; dup {
			return fmt.Errorf("macho: slices %d and %d are both %s", j, i, cpuName(t.cpu))
		}
		seen[t.cpu] = i
		thins = append(thins, t)
	}
	sort.Slice(thins, func(i, j int) bool { return thins[i].cpu < thins[j].cpu })

	// Lay the slices out after the header, each rounded up to its alignment.
	end := uint64(fatHeaderSize + fatArchSize*len(thins))
	for i := range thins {
		a := uint64(1) << thins[i].align
		thins[i].offset = (end + a - 1) &^ (a - 1)
		end = thins[i].offset + uint64(len(thins[i].data))
	}
	// The classic fat_arch holds 32-bit offsets and sizes. Go executables
	// are nowhere near 4 GiB, so fat_arch_64 is not worth writing.
	if end > math.MaxUint32 {
		return fmt.Errorf("macho: universal binary would be %d bytes, over the 4 GiB a 32-bit fat header can address", end)
	}

	// Header, fat_arch table and the padding up to the first slice.
	head := make([]byte, thins[0].offset)
	binary.BigEndian.PutUint32(head[0:], fatMagic)
	binary.BigEndian.PutUint32(head[4:], uint32(len(thins)))
	for i, t := range thins {
		fa := head[fatHeaderSize+fatArchSize*i:]
		binary.BigEndian.PutUint32(fa[0:], uint32(t.cpu))
		binary.BigEndian.PutUint32(fa[4:], t.sub)
		binary.BigEndian.PutUint32(fa[8:], uint32(t.offset))
		binary.BigEndian.PutUint32(fa[12:], uint32(len(t.data)))
		binary.BigEndian.PutUint32(fa[16:], t.align)
	}
	if _, err := w.Write(head); err != nil {
		return fmt.Errorf("macho: writing universal binary: %w", err)
	}

	// Each slice, followed by zeros up to the next slice's offset.
	pos := thins[0].offset
	for i, t := range thins {
		if i > 0 {
			if _, err := w.Write(make([]byte, t.offset-pos)); err != nil {
				return fmt.Errorf("macho: writing universal binary: %w", err)
			}
		}
		if _, err := w.Write(t.data); err != nil {
			return fmt.Errorf("macho: writing universal binary: %w", err)
		}
		pos = t.offset + uint64(len(t.data))
	}
	return nil
}

// parseThin checks that data is a thin 64-bit Mach-O executable for a CPU
// Universal knows the alignment of.
func parseThin(data []byte) (thin, error) {
	if isFat(data) {
		return thin{}, fmt.Errorf("is already a universal binary; pass thin executables")
	}
	f, err := macho.NewFile(bytes.NewReader(data))
	if err != nil {
		return thin{}, fmt.Errorf("not a Mach-O file: %v", err)
	}
	if f.Type != macho.TypeExec {
		return thin{}, fmt.Errorf("not an executable (Mach-O file type %d)", f.Type)
	}
	t := thin{cpu: f.Cpu, sub: f.SubCpu, data: data}
	switch f.Cpu {
	case macho.CpuAmd64:
		t.align = alignX86_64
	case macho.CpuArm64:
		t.align = alignArm64
	default:
		return thin{}, fmt.Errorf("unsupported CPU %s (want amd64 or arm64)", cpuName(f.Cpu))
	}
	return t, nil
}

// isFat reports whether data starts with a fat-file magic number.
func isFat(data []byte) bool {
	if len(data) < 4 {
		return false
	}
	m := binary.BigEndian.Uint32(data)
	return m == fatMagic || m == fatMagic64
}

// cpuName names a Mach-O CPU type the way GOARCH does.
func cpuName(c macho.Cpu) string {
	switch c {
	case macho.CpuAmd64:
		return "amd64"
	case macho.CpuArm64:
		return "arm64"
	case macho.Cpu386:
		return "386"
	case macho.CpuArm:
		return "arm"
	case macho.CpuPpc:
		return "ppc"
	case macho.CpuPpc64:
		return "ppc64"
	}
	return fmt.Sprintf("cpu(%#x)", uint32(c))
}

// Slices reads a universal binary back: the CPU, placement and bytes of each
// slice, in file order. Both fat_arch and fat_arch_64 tables are understood.
func Slices(r io.ReaderAt) ([]Slice, error) {
	var hdr [fatHeaderSize]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return nil, fmt.Errorf("macho: reading fat header: %w", err)
	}
	magic := binary.BigEndian.Uint32(hdr[0:])
	n := binary.BigEndian.Uint32(hdr[4:])
	archSize := fatArchSize
	switch magic {
	case fatMagic:
	case fatMagic64:
		archSize = fatArch64Size
	default:
		return nil, fmt.Errorf("macho: not a universal binary (magic %#08x)", magic)
	}
	// 0xcafebabe also starts Java class files, where the next word is a
	// version number; a sane architecture count tells the two apart.
	if n == 0 || n > maxFatArchs {
		return nil, fmt.Errorf("macho: implausible universal binary with %d architectures", n)
	}
	table := make([]byte, archSize*int(n))
	if _, err := r.ReadAt(table, fatHeaderSize); err != nil {
		return nil, fmt.Errorf("macho: reading fat_arch table: %w", err)
	}
	headerEnd := uint64(fatHeaderSize + len(table))

	out := make([]Slice, 0, n)
	for i := range int(n) {
		fa := table[archSize*i:]
		cpu := macho.Cpu(binary.BigEndian.Uint32(fa[0:]))
		s := Slice{CPU: cpuName(cpu)}
		if magic == fatMagic64 {
			s.Offset = binary.BigEndian.Uint64(fa[8:])
			s.Size = binary.BigEndian.Uint64(fa[16:])
			s.Align = binary.BigEndian.Uint32(fa[24:])
		} else {
			s.Offset = uint64(binary.BigEndian.Uint32(fa[8:]))
			s.Size = uint64(binary.BigEndian.Uint32(fa[12:]))
			s.Align = binary.BigEndian.Uint32(fa[16:])
		}
		if s.Align > maxAlignAccept {
			return nil, fmt.Errorf("macho: slice %d (%s): alignment 2^%d out of range", i, s.CPU, s.Align)
		}
		if s.Offset < headerEnd || s.Offset > math.MaxInt64 || s.Size > math.MaxInt64-s.Offset {
			return nil, fmt.Errorf("macho: slice %d (%s): bad offset %d / size %d", i, s.CPU, s.Offset, s.Size)
		}
		// ReadAll grows with what is really there, so a bogus size in the
		// header cannot make us allocate gigabytes up front.
		data, err := io.ReadAll(io.NewSectionReader(r, int64(s.Offset), int64(s.Size)))
		if err != nil {
			return nil, fmt.Errorf("macho: reading slice %d (%s): %w", i, s.CPU, err)
		}
		if uint64(len(data)) != s.Size {
			return nil, fmt.Errorf("macho: slice %d (%s) is truncated: %d of %d bytes", i, s.CPU, len(data), s.Size)
		}
		s.Data = data
		out = append(out, s)
	}
	return out, nil
}
