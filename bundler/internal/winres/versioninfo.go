// Package winres makes the Windows resources bundle links into an .exe (icon
// group, application manifest, version information) as a COFF object (.syso)
// the go command picks up, and reads them back out of a PE file.
package winres

import (
	"encoding/binary"
	"fmt"
	"unicode/utf16"
)

// The language and code page of the version strings: U.S. English, UTF-16.
// Explorer shows the string table named by the Translation entry, so the
// two must agree.
const (
	langEnUS      = 0x0409
	codePageUTF16 = 1200 // 0x04B0
)

// VS_FIXEDFILEINFO constants (winver.h).
const (
	fixedFileInfoSignature = 0xFEEF04BD
	fixedFileInfoVersion   = 0x00010000
	fileFlagsMask          = 0x3F       // every VS_FF_* bit is meaningful
	fileFlagPrerelease     = 0x02       // VS_FF_PRERELEASE
	fileOSNTWindows32      = 0x00040004 // VOS_NT_WINDOWS32
	fileTypeApp            = 1          // VFT_APP
)

// VersionInfo is the content of the VS_VERSIONINFO resource.
type VersionInfo struct {
	FileVersion, ProductVersion [4]uint16
	Strings                     VersionStrings
	Prerelease                  bool // sets VS_FF_PRERELEASE in dwFileFlags
}

// VersionStrings are the StringFileInfo values Explorer and exiftool show.
// Empty values are left out of the resource.
type VersionStrings struct {
	CompanyName      string
	FileDescription  string // Explorer's "File description", also the Task Manager name
	FileVersion      string // text form, e.g. "1.2.3.0"
	InternalName     string
	LegalCopyright   string
	OriginalFilename string
	ProductName      string
	ProductVersion   string // the full semantic version, e.g. "1.2.3-rc.1"
	Comments         string
}

// pairs lists the strings in the order they are written, the conventional
// order of .rc files, so that equal input always gives equal bytes.
func (s VersionStrings) pairs() [][2]string {
	return [][2]string{
		{"CompanyName", s.CompanyName},
		{"FileDescription", s.FileDescription},
		{"FileVersion", s.FileVersion},
		{"InternalName", s.InternalName},
		{"LegalCopyright", s.LegalCopyright},
		{"OriginalFilename", s.OriginalFilename},
		{"ProductName", s.ProductName},
		{"ProductVersion", s.ProductVersion},
		{"Comments", s.Comments},
	}
}

// Bytes encodes the RT_VERSION resource data, byte for byte what binutils
// windres makes of the same values in a .rc file. A result over 64 KiB
// (only possible with absurdly long strings) cannot be encoded correctly;
// Syso rejects it.
func (v VersionInfo) Bytes() []byte {
	var strs []versionNode
	for _, kv := range v.Strings.pairs() {
		if kv[1] != "" {
			strs = append(strs, textNode(kv[0], kv[1]))
		}
	}
	translation := binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint16(nil, langEnUS), codePageUTF16)
	root := versionNode{
		key:   "VS_VERSION_INFO",
		value: v.fixedFileInfo(),
		children: []versionNode{
			{key: "StringFileInfo", text: true, children: []versionNode{
				{key: fmt.Sprintf("%04x%04x", langEnUS, codePageUTF16), text: true, children: strs},
			}},
			{key: "VarFileInfo", text: true, children: []versionNode{
				{key: "Translation", value: translation},
			}},
		},
	}
	return root.appendTo(nil)
}

// fixedFileInfo encodes VS_FIXEDFILEINFO: 13 little-endian DWORDs.
func (v VersionInfo) fixedFileInfo() []byte {
	var flags uint32
	if v.Prerelease {
		flags |= fileFlagPrerelease
	}
	ms := func(p [4]uint16) uint32 { return uint32(p[0])<<16 | uint32(p[1]) }
	ls := func(p [4]uint16) uint32 { return uint32(p[2])<<16 | uint32(p[3]) }
	var b []byte
	for _, d := range []uint32{
		fixedFileInfoSignature, fixedFileInfoVersion,
		ms(v.FileVersion), ls(v.FileVersion), ms(v.ProductVersion), ls(v.ProductVersion),
		fileFlagsMask, flags, fileOSNTWindows32, fileTypeApp,
		0,    // dwFileSubtype: none for applications
		0, 0, // dwFileDateMS/LS: left 0 by every common tool, and it keeps builds reproducible
	} {
		b = binary.LittleEndian.AppendUint32(b, d)
	}
	return b
}

// versionNode is one structure of the VS_VERSIONINFO tree. All of them
// (VS_VERSIONINFO, StringFileInfo, StringTable, String, VarFileInfo, Var)
// share one header: WORD wLength, WORD wValueLength, WORD wType, the
// NUL-terminated UTF-16 key, padding to 4 bytes, the value, then the
// children, each starting on a 4-byte boundary.
type versionNode struct {
	key      string
	text     bool // wType 1: a text value, whose wValueLength counts WCHARs
	value    []byte
	children []versionNode
}

// textNode is a String: its value is NUL-terminated UTF-16 text.
func textNode(key, value string) versionNode {
	return versionNode{key: key, text: true, value: appendUTF16Z(nil, value)}
}

// appendTo appends the node at the end of b. Padding is computed from
// len(b): every node starts 4-aligned relative to the start of the blob,
// which is what the alignment rules are relative to.
func (n versionNode) appendTo(b []byte) []byte {
	start := len(b)
	b = append(b, make([]byte, 6)...) // header, filled in below
	b = appendUTF16Z(b, n.key)
	b = pad4(b)
	b = append(b, n.value...)
	for _, c := range n.children {
		b = c.appendTo(pad4(b))
	}
	valueLength, typ := len(n.value), uint16(0)
	if n.text {
		valueLength, typ = len(n.value)/2, 1
	}
	// wLength ends at the last byte of the value or last child: trailing
	// padding belongs to whatever follows.
	binary.LittleEndian.PutUint16(b[start:], uint16(len(b)-start))
	binary.LittleEndian.PutUint16(b[start+2:], uint16(valueLength))
	binary.LittleEndian.PutUint16(b[start+4:], typ)
	return b
}

func appendUTF16Z(b []byte, s string) []byte {
	for _, c := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return append(b, 0, 0)
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}
