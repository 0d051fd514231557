package inspect

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/macsign"
	"github.com/bundlekit/bundle/bundler/internal/winres"
)

// Limits on what inspect holds of one executable, so a huge or hostile
// one costs bounded memory and time.
const (
	// maxWhole is the largest executable inside an archive that is held
	// in memory whole; of a larger one the first maxWhole bytes are read.
	// A file on disk is never held: it is read where it lies.
	maxWhole = 64 << 20
	// maxScan is how much of an executable inside an archive is searched
	// for the runtime hook's stamp.
	maxScan = 1 << 30
)

// executableAt describes the executable r holds, size bytes long. head is
// what is held in memory of it (all of it unless partial); s has searched
// it for the hook's stamp.
func executableAt(path string, r io.ReaderAt, size int64, s *stampScanner, partial bool) (*Executable, error) {
	x := &Executable{Path: path, Size: size}
	if x.Format, x.OS, x.Arch = header(r); x.Format == "" && partial {
		x.Format, x.OS, x.Arch = headerOfStart(r)
	}
	if x.Format == "" {
		return nil, exitcode.Config(fmt.Errorf("inspect: %s is neither an executable (ELF, PE, Mach-O) nor a package or archive (deb, rpm, apk, pkg.tar.zst, msi, tar.gz, zip, dmg, .app) bundle can read", path))
	}
	if partial {
		x.ReadInPart = fmt.Sprintf("the first %s of %s: inspect reads no more of an executable inside an archive, so build info, resources and signatures past them are not read", humanBytes(maxWhole), humanBytes(size))
	}
	if x.Format == "PE" {
		if res, err := winres.Read(r); err == nil {
			x.Resources = res
		} else if !partial {
			// A resource directory that loops or runs out of its section:
			// said, not silently left out.
			x.ResourcesError = err.Error()
		}
		signed := authenticodeSigned(r)
		x.Signed = &signed
	}
	if x.OS == "darwin" && size <= maxWhole && !partial {
		data := make([]byte, size)
		if _, err := r.ReadAt(data, 0); err == nil {
			x.CodeSignature, _ = macsign.Read(data) // nil when unsigned or unreadable
		}
	}
	if bi, err := buildinfo.Read(r); err == nil {
		x.GoVersion, x.Module = bi.GoVersion, bi.Main.Path
	}
	switch {
	case s.found:
		x.Hook = s.hook
	case s.seen < size:
		x.Hook.Unknown = fmt.Sprintf("no stamp in the first %s of %s, the most inspect searches inside an archive", humanBytes(s.seen), humanBytes(size))
	}
	return x, nil
}

// readExecutable reads an executable of size bytes from r, an archive's
// entry, as executableAt needs it: whole up to maxWhole, else its start,
// with the stamp searched in up to maxScan bytes. first holds its first
// bytes, already read.
func readExecutable(path string, first []byte, r io.Reader, size int64) (*Executable, error) {
	if size < int64(len(first)) {
		return nil, errors.New("the entry is shorter than its first bytes")
	}
	held := make([]byte, min(size, maxWhole))
	n := copy(held, first)
	if _, err := io.ReadFull(r, held[n:]); err != nil {
		return nil, err
	}
	s := &stampScanner{}
	s.Write(held)
	partial := size > int64(len(held))
	if partial {
		if _, err := io.CopyN(s, r, min(size, maxScan)-int64(len(held))); err != nil {
			return nil, err
		}
	}
	return executableAt(path, bytes.NewReader(held), size, s, partial)
}

func header(r io.ReaderAt) (format, goos, arch string) {
	if f, err := elf.NewFile(r); err == nil {
		return "ELF", "linux", elfArch(f.Machine)
	}
	if f, err := pe.NewFile(r); err == nil {
		return "PE", "windows", peArch(f.Machine)
	}
	if f, err := macho.NewFile(r); err == nil {
		return "Mach-O", "darwin", machoArch(f.Cpu)
	}
	if _, err := macho.NewFatFile(r); err == nil {
		return "Mach-O universal", "darwin", "universal"
	}
	return "", "", ""
}

// headerOfStart tells an executable from its first bytes alone, for one
// read in part: debug/elf, pe and macho also read tables near the end.
// It reads only the fixed fields of each format's header.
func headerOfStart(r io.ReaderAt) (format, goos, arch string) {
	var b [4096]byte
	n, _ := r.ReadAt(b[:], 0)
	h := b[:n]
	switch {
	case len(h) >= 20 && bytes.HasPrefix(h, []byte(elf.ELFMAG)):
		order := binary.ByteOrder(binary.LittleEndian)
		if elf.Data(h[elf.EI_DATA]) == elf.ELFDATA2MSB {
			order = binary.BigEndian
		}
		return "ELF", "linux", elfArch(elf.Machine(order.Uint16(h[18:])))
	case len(h) >= 0x40 && bytes.HasPrefix(h, []byte("MZ")):
		off := int(binary.LittleEndian.Uint32(h[0x3c:]))
		if off >= 0 && off+6 <= len(h) && bytes.Equal(h[off:off+4], []byte("PE\x00\x00")) {
			return "PE", "windows", peArch(binary.LittleEndian.Uint16(h[off+4:]))
		}
	case len(h) >= 8 && binary.BigEndian.Uint32(h) == macho.MagicFat:
		return "Mach-O universal", "darwin", "universal"
	case len(h) >= 8 && (binary.LittleEndian.Uint32(h) == macho.Magic64 || binary.LittleEndian.Uint32(h) == macho.Magic32):
		return "Mach-O", "darwin", machoArch(macho.Cpu(binary.LittleEndian.Uint32(h[4:])))
	}
	return "", "", ""
}

func elfArch(m elf.Machine) string {
	return map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64", elf.EM_386: "386", elf.EM_ARM: "arm", elf.EM_RISCV: "riscv64", elf.EM_PPC64: "ppc64le", elf.EM_S390: "s390x", elf.EM_LOONGARCH: "loong64", elf.EM_MIPS: "mips64le"}[m]
}

func peArch(m uint16) string {
	return map[uint16]string{pe.IMAGE_FILE_MACHINE_AMD64: "amd64", pe.IMAGE_FILE_MACHINE_ARM64: "arm64", pe.IMAGE_FILE_MACHINE_I386: "386"}[m]
}

func machoArch(c macho.Cpu) string {
	return map[macho.Cpu]string{macho.CpuAmd64: "amd64", macho.CpuArm64: "arm64"}[c]
}

// humanBytes is a size in binary units, as the caps are set: "64 MiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %ciB", int64(v), "KMGTPE"[exp])
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[exp])
}
