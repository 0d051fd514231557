package winres

import (
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/akavel/rsrc/coff"
)

// Resources is what Read finds in a PE file. Fields stay empty when the
// file lacks that resource.
type Resources struct {
	// IconSizes are the image widths of the first icon group, the one
	// Explorer shows, in stored order.
	IconSizes []int          `json:"icon_sizes,omitempty"`
	Manifest  string         `json:"manifest,omitempty"`
	Version   *ParsedVersion `json:"version,omitempty"`
}

// Read parses the icon group, manifest and version resources of a PE file.
// Of several resources of one type it reads the first, in any language.
func Read(r io.ReaderAt) (*Resources, error) {
	f, err := pe.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("winres: %w", err)
	}
	res := &Resources{}
	root, ok := resourceDirectoryRVA(f)
	if !ok {
		return res, nil
	}
	tree := resourceTree{image: f, root: root}
	group, err := tree.first(coff.RT_GROUP_ICON)
	if err == nil && group != nil {
		res.IconSizes, err = groupIconSizes(group)
	}
	if err != nil {
		return nil, fmt.Errorf("winres: icon group: %w", err)
	}
	manifest, err := tree.first(coff.RT_MANIFEST)
	if err != nil {
		return nil, fmt.Errorf("winres: manifest: %w", err)
	}
	res.Manifest = strings.TrimPrefix(string(manifest), "\uFEFF") // a UTF-8 byte order mark, which some editors write
	version, err := tree.first(rtVersion)
	if err == nil && version != nil {
		res.Version, err = parseVersionInfo(version)
	}
	if err != nil {
		return nil, fmt.Errorf("winres: version information: %w", err)
	}
	return res, nil
}

// resourceDirectoryRVA returns where the resource directory starts, if the
// file has one.
func resourceDirectoryRVA(f *pe.File) (uint32, bool) {
	var dirs []pe.DataDirectory
	switch h := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		dirs = h.DataDirectory[:min(h.NumberOfRvaAndSizes, uint32(len(h.DataDirectory)))]
	case *pe.OptionalHeader64:
		dirs = h.DataDirectory[:min(h.NumberOfRvaAndSizes, uint32(len(h.DataDirectory)))]
	}
	if len(dirs) <= pe.IMAGE_DIRECTORY_ENTRY_RESOURCE {
		return 0, false
	}
	d := dirs[pe.IMAGE_DIRECTORY_ENTRY_RESOURCE]
	return d.VirtualAddress, d.VirtualAddress != 0 && d.Size != 0
}

// groupIconSizes reads a GRPICONDIR: a 6-byte header with the count, then
// 14-byte entries starting with the width byte, where 0 means 256.
func groupIconSizes(b []byte) ([]int, error) {
	if len(b) < 6 {
		return nil, errors.New("too short")
	}
	n := int(binary.LittleEndian.Uint16(b[4:]))
	if len(b) < 6+14*n {
		return nil, fmt.Errorf("%d entries do not fit in %d bytes", n, len(b))
	}
	sizes := make([]int, n)
	for i := range sizes {
		sizes[i] = int(b[6+14*i])
		if sizes[i] == 0 {
			sizes[i] = 256
		}
	}
	return sizes, nil
}

// resourceTree reads the three-level resource directory (type, name,
// language) of a PE image. Directory offsets are relative to the root;
// data entries hold RVAs.
type resourceTree struct {
	image *pe.File
	root  uint32
}

type resourceEntry struct {
	nameOrID uint32 // high bit set: an offset to a name, else a numeric id
	offset   uint32 // high bit set: a subdirectory, else a data entry
}

const highBit = 1 << 31

// first returns the data of the first resource of type typ, or nil when
// there is none.
func (t resourceTree) first(typ uint16) ([]byte, error) {
	types, err := t.directory(0)
	if err != nil {
		return nil, err
	}
	for _, e := range types {
		if e.nameOrID == uint32(typ) {
			return t.firstLeaf(e, 2)
		}
	}
	return nil, nil
}

// firstLeaf descends through levels more directories (name, then
// language), taking the first entry of each, and reads the data there.
func (t resourceTree) firstLeaf(e resourceEntry, levels int) ([]byte, error) {
	for ; levels > 0; levels-- {
		if e.offset&highBit == 0 {
			return nil, errors.New("resource directory entry points to data where a directory belongs")
		}
		entries, err := t.directory(e.offset &^ highBit)
		if err != nil {
			return nil, err
		}
		if len(entries) == 0 {
			return nil, nil
		}
		e = entries[0]
	}
	if e.offset&highBit != 0 {
		return nil, errors.New("resource directory is nested deeper than type, name and language")
	}
	data, err := t.read(t.root+e.offset, 16) // IMAGE_RESOURCE_DATA_ENTRY
	if err != nil {
		return nil, err
	}
	return t.read(binary.LittleEndian.Uint32(data), binary.LittleEndian.Uint32(data[4:]))
}

// directory reads the entries of the IMAGE_RESOURCE_DIRECTORY at offset:
// a 16-byte header ending in the counts of named and numbered entries,
// then 8 bytes per entry, named ones first.
func (t resourceTree) directory(offset uint32) ([]resourceEntry, error) {
	head, err := t.read(t.root+offset, 16)
	if err != nil {
		return nil, err
	}
	n := uint32(binary.LittleEndian.Uint16(head[12:])) + uint32(binary.LittleEndian.Uint16(head[14:]))
	raw, err := t.read(t.root+offset+16, 8*n)
	if err != nil {
		return nil, err
	}
	entries := make([]resourceEntry, n)
	for i := range entries {
		entries[i] = resourceEntry{binary.LittleEndian.Uint32(raw[8*i:]), binary.LittleEndian.Uint32(raw[8*i+4:])}
	}
	return entries, nil
}

// read returns size bytes of the image at rva. The range must lie within
// one section's file data, which also bounds what a corrupt size can make
// it allocate.
func (t resourceTree) read(rva, size uint32) ([]byte, error) {
	for _, s := range t.image.Sections {
		if rva < s.VirtualAddress || rva-s.VirtualAddress >= max(s.VirtualSize, s.Size) {
			continue
		}
		off := rva - s.VirtualAddress
		if uint64(off)+uint64(size) > uint64(s.Size) {
			return nil, fmt.Errorf("%d bytes at RVA %#x run past the end of section %s", size, rva, s.Name)
		}
		b := make([]byte, size)
		if _, err := s.ReadAt(b, int64(off)); err != nil {
			return nil, fmt.Errorf("reading section %s: %w", s.Name, err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("RVA %#x lies in no section", rva)
}
