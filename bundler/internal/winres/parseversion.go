package winres

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"

	"github.com/bundlekit/bundle/bundler/internal/version"
)

// ParsedVersion is what an RT_VERSION resource says.
type ParsedVersion struct {
	FileVersion    [4]uint16 `json:"file_version"`
	ProductVersion [4]uint16 `json:"product_version"`
	Prerelease     bool      `json:"prerelease,omitempty"`
	// Language and CodePage name the string table read (the first one),
	// e.g. 0x0409 and 1200.
	Language uint16          `json:"language"`
	CodePage uint16          `json:"code_page"`
	Strings  []VersionString `json:"strings,omitempty"` // in stored order
}

// VersionString is one StringFileInfo entry.
type VersionString struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Lookup returns the value of the string named key, "" when absent.
func (p *ParsedVersion) Lookup(key string) string {
	for _, s := range p.Strings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// parseVersionInfo decodes a VS_VERSIONINFO blob. It is lenient where
// producers differ (a String's wValueLength in bytes instead of WCHARs,
// missing StringFileInfo) and strict about anything that would make it read
// out of bounds, since `bundle inspect` feeds it arbitrary files.
func parseVersionInfo(b []byte) (*ParsedVersion, error) {
	roots, err := splitVersionNodes(b)
	if err != nil {
		return nil, err
	}
	if len(roots) == 0 || roots[0].key != "VS_VERSION_INFO" {
		return nil, errors.New("no VS_VERSION_INFO structure")
	}
	root := roots[0]
	p := &ParsedVersion{}
	if err := p.readFixed(root.value); err != nil {
		return nil, err
	}
	children, err := splitVersionNodes(root.children)
	if err != nil {
		return nil, err
	}
	for _, c := range children {
		if c.key == "StringFileInfo" {
			if err := p.readStringFileInfo(c); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

func (p *ParsedVersion) readFixed(ffi []byte) error {
	if len(ffi) < 52 || binary.LittleEndian.Uint32(ffi) != fixedFileInfoSignature {
		return errors.New("VS_FIXEDFILEINFO is missing or has a bad signature")
	}
	dword := func(i int) uint32 { return binary.LittleEndian.Uint32(ffi[4*i:]) }
	split := func(ms, ls uint32) [4]uint16 {
		return [4]uint16{uint16(ms >> 16), uint16(ms), uint16(ls >> 16), uint16(ls)}
	}
	p.FileVersion = split(dword(2), dword(3))
	p.ProductVersion = split(dword(4), dword(5))
	p.Prerelease = dword(6)&dword(7)&fileFlagPrerelease != 0
	return nil
}

// readStringFileInfo reads the first StringTable.
func (p *ParsedVersion) readStringFileInfo(sfi versionBlock) error {
	tables, err := splitVersionNodes(sfi.children)
	if err != nil || len(tables) == 0 {
		return err
	}
	table := tables[0]
	if len(table.key) == 8 {
		if n, err := strconv.ParseUint(table.key, 16, 32); err == nil {
			p.Language, p.CodePage = uint16(n>>16), uint16(n)
		}
	}
	strs, err := splitVersionNodes(table.children)
	if err != nil {
		return err
	}
	for _, s := range strs {
		p.Strings = append(p.Strings, VersionString{Key: s.key, Value: utf16ToString(s.value)})
	}
	return nil
}

// versionBlock is one parsed structure of the tree; see versionNode.
type versionBlock struct {
	key      string
	value    []byte
	children []byte // the bytes holding the children, to split in turn
}

// splitVersionNodes parses the sibling structures that fill b.
func splitVersionNodes(b []byte) ([]versionBlock, error) {
	var out []versionBlock
	for off := 0; off+6 <= len(b); {
		length := int(binary.LittleEndian.Uint16(b[off:]))
		if length == 0 {
			break // zero padding after the last structure, which some tools add
		}
		if length < 6 || off+length > len(b) {
			return nil, fmt.Errorf("version structure at offset %d has a bad length %d", off, length)
		}
		n, err := parseVersionBlock(b[off : off+length])
		if err != nil {
			return nil, fmt.Errorf("version structure at offset %d: %w", off, err)
		}
		out = append(out, n)
		off = align4(off + length)
	}
	return out, nil
}

// parseVersionBlock parses one structure; b is exactly wLength bytes and
// starts 4-aligned.
func parseVersionBlock(b []byte) (versionBlock, error) {
	valueLength := int(binary.LittleEndian.Uint16(b[2:]))
	isText := binary.LittleEndian.Uint16(b[4:]) == 1
	var key []uint16
	off := 6
	for ; ; off += 2 {
		if off+2 > len(b) {
			return versionBlock{}, errors.New("key is not terminated")
		}
		c := binary.LittleEndian.Uint16(b[off:])
		if c == 0 {
			off += 2
			break
		}
		key = append(key, c)
	}
	off = min(align4(off), len(b))
	if isText {
		valueLength *= 2
	}
	valueEnd := min(off+valueLength, len(b))
	return versionBlock{
		key:      string(utf16.Decode(key)),
		value:    b[off:valueEnd],
		children: b[min(align4(valueEnd), len(b)):],
	}, nil
}

// utf16ToString decodes little-endian UTF-16 up to the first NUL.
func utf16ToString(b []byte) string {
	var u []uint16
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

func align4(n int) int { return (n + 3) &^ 3 }

// FileString is the file version as Windows shows it, "1.2.3.0".
func (v *ParsedVersion) FileString() string { return version.WindowsFileString(v.FileVersion) }

// ProductString is the product version as Windows shows it.
func (v *ParsedVersion) ProductString() string { return version.WindowsFileString(v.ProductVersion) }
