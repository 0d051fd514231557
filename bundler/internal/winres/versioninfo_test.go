package winres

import (
	"encoding/binary"
	"reflect"
	"testing"
	"unicode/utf16"
)

// versionCases cover every string, none, odd lengths (padding after keys
// and values), non-ASCII text including a surrogate pair, and the
// pre-release flag.
var versionCases = []struct {
	name string
	in   VersionInfo
	want []VersionString // the strings expected, in order
}{
	{
		name: "all strings",
		in: VersionInfo{
			FileVersion:    [4]uint16{1, 2, 3, 4},
			ProductVersion: [4]uint16{1, 2, 3, 4},
			Prerelease:     true,
			Strings: VersionStrings{
				CompanyName:      "Example Corp",
				FileDescription:  "Hello – demo app",
				FileVersion:      "1.2.3.4",
				InternalName:     "hello",
				LegalCopyright:   "© 2026 Example Corp",
				OriginalFilename: "hello.exe",
				ProductName:      "Hello",
				ProductVersion:   "1.2.3-rc.4+build.7",
				Comments:         "Ships 🚀 fast",
			},
		},
		want: []VersionString{
			{"CompanyName", "Example Corp"},
			{"FileDescription", "Hello – demo app"},
			{"FileVersion", "1.2.3.4"},
			{"InternalName", "hello"},
			{"LegalCopyright", "© 2026 Example Corp"},
			{"OriginalFilename", "hello.exe"},
			{"ProductName", "Hello"},
			{"ProductVersion", "1.2.3-rc.4+build.7"},
			{"Comments", "Ships 🚀 fast"},
		},
	},
	{
		name: "some strings empty",
		in: VersionInfo{
			FileVersion:    [4]uint16{65535, 0, 1, 0},
			ProductVersion: [4]uint16{2, 0, 0, 0},
			Strings:        VersionStrings{ProductName: "X", ProductVersion: "2.0.0", CompanyName: "AB"},
		},
		want: []VersionString{{"CompanyName", "AB"}, {"ProductName", "X"}, {"ProductVersion", "2.0.0"}},
	},
	{
		name: "no strings",
		in:   VersionInfo{FileVersion: [4]uint16{0, 0, 0, 1}},
	},
}

func TestVersionInfoLayout(t *testing.T) {
	for _, tc := range versionCases {
		t.Run(tc.name, func(t *testing.T) {
			blob := tc.in.Bytes()
			root := checkLayout(t, blob, 0)
			if root.length != len(blob) {
				t.Fatalf("VS_VERSIONINFO wLength %d, blob is %d bytes", root.length, len(blob))
			}
			if root.key != "VS_VERSION_INFO" || root.wType != 0 || root.valueLength != 52 {
				t.Fatalf("root: key %q type %d value length %d", root.key, root.wType, root.valueLength)
			}
			ffi := root.value
			dword := func(i int) uint32 { return binary.LittleEndian.Uint32(ffi[4*i:]) }
			wantFlags := uint32(0)
			if tc.in.Prerelease {
				wantFlags = 2
			}
			v := tc.in.FileVersion
			if dword(0) != 0xFEEF04BD || dword(1) != 0x10000 ||
				dword(2) != uint32(v[0])<<16|uint32(v[1]) || dword(3) != uint32(v[2])<<16|uint32(v[3]) ||
				dword(6) != 0x3F || dword(7) != wantFlags || dword(8) != 0x40004 || dword(9) != 1 {
				t.Errorf("VS_FIXEDFILEINFO % x", ffi)
			}
			if len(root.children) != 2 || root.children[0].key != "StringFileInfo" || root.children[1].key != "VarFileInfo" {
				t.Fatalf("root children %v", keys(root.children))
			}
			sfi := root.children[0]
			if len(sfi.children) != 1 || sfi.children[0].key != "040904b0" || sfi.wType != 1 || sfi.children[0].wType != 1 {
				t.Fatalf("StringFileInfo children %v", keys(sfi.children))
			}
			var got []VersionString
			for _, s := range sfi.children[0].children {
				text := utf16.Encode([]rune(s.text()))
				if s.wType != 1 || int(s.valueLength) != len(text)+1 || len(s.value) != 2*(len(text)+1) || s.value[len(s.value)-2] != 0 || s.value[len(s.value)-1] != 0 {
					t.Errorf("String %s: type %d, wValueLength %d for %d WCHARs + NUL (value % x)", s.key, s.wType, s.valueLength, len(text), s.value)
				}
				got = append(got, VersionString{s.key, s.text()})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("strings\n got %q\nwant %q", got, tc.want)
			}
			vfi := root.children[1]
			if len(vfi.children) != 1 {
				t.Fatalf("VarFileInfo children %v", keys(vfi.children))
			}
			tr := vfi.children[0]
			if tr.key != "Translation" || tr.wType != 0 || tr.valueLength != 4 || !reflect.DeepEqual(tr.value, []byte{0x09, 0x04, 0xB0, 0x04}) {
				t.Errorf("Translation: type %d value length %d value % x", tr.wType, tr.valueLength, tr.value)
			}
		})
	}
}

// The String lengths windres gives "CompanyName" = "Example Corp": 58
// bytes, the next String 4-aligned at +60.
func TestVersionInfoStringLength(t *testing.T) {
	blob := VersionInfo{Strings: VersionStrings{CompanyName: "Example Corp", ProductName: "Hello"}}.Bytes()
	strs := checkLayout(t, blob, 0).children[0].children[0].children
	if strs[0].length != 58 || strs[1].offset-strs[0].offset != 60 {
		t.Errorf("CompanyName wLength %d, next String %d bytes later; want 58 and 60", strs[0].length, strs[1].offset-strs[0].offset)
	}
}

func TestVersionInfoRoundTrip(t *testing.T) {
	for _, tc := range versionCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseVersionInfo(tc.in.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			want := &ParsedVersion{
				FileVersion:    tc.in.FileVersion,
				ProductVersion: tc.in.ProductVersion,
				Prerelease:     tc.in.Prerelease,
				Language:       0x0409,
				CodePage:       1200,
				Strings:        tc.want,
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("parsed\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// layoutNode is a VS_VERSIONINFO structure as the layout checker saw it.
type layoutNode struct {
	offset, length     int
	key                string
	wType, valueLength uint16
	value              []byte
	children           []layoutNode
}

func (n layoutNode) text() string {
	var u []uint16
	for i := 0; i+1 < len(n.value); i += 2 {
		if c := binary.LittleEndian.Uint16(n.value[i:]); c != 0 {
			u = append(u, c)
		}
	}
	return string(utf16.Decode(u))
}

func keys(nodes []layoutNode) []string {
	var k []string
	for _, n := range nodes {
		k = append(k, n.key)
	}
	return k
}

// checkLayout reads the structure at off and checks the layout rules on
// the way: it starts 4-aligned, padding is zero and only up to the next
// 4-byte boundary, the value is wValueLength bytes (WCHARs for a String,
// wType 1 with no children), children follow each other at 4-byte
// boundaries, and wLength ends exactly at the end of the value or of the
// last child, without trailing padding.
func checkLayout(t *testing.T, blob []byte, off int) layoutNode {
	t.Helper()
	if off%4 != 0 {
		t.Fatalf("structure at %d is not 4-aligned", off)
	}
	n := layoutNode{
		offset:      off,
		length:      int(binary.LittleEndian.Uint16(blob[off:])),
		valueLength: binary.LittleEndian.Uint16(blob[off+2:]),
		wType:       binary.LittleEndian.Uint16(blob[off+4:]),
	}
	end := off + n.length
	if end > len(blob) {
		t.Fatalf("structure at %d: wLength %d runs past the blob", off, n.length)
	}
	pos := off + 6
	var key []uint16
	for ; binary.LittleEndian.Uint16(blob[pos:]) != 0; pos += 2 {
		key = append(key, binary.LittleEndian.Uint16(blob[pos:]))
	}
	n.key = string(utf16.Decode(key))
	pos = checkPadding(t, blob, pos+2, n.key)
	size := int(n.valueLength)
	isString := n.wType == 1 && size > 0
	if isString {
		size *= 2
	}
	n.value = blob[pos : pos+size]
	pos += size
	if isString && pos != end {
		t.Errorf("String %s: wLength %d, but its value ends at +%d", n.key, n.length, pos-off)
	}
	for pos < end {
		if pos = checkPadding(t, blob, pos, n.key); pos >= end {
			t.Fatalf("%s: wLength %d counts trailing padding", n.key, n.length)
		}
		c := checkLayout(t, blob, pos)
		n.children = append(n.children, c)
		pos = c.offset + c.length
	}
	if pos != end {
		t.Errorf("%s: wLength %d, content ends at +%d", n.key, n.length, pos-off)
	}
	return n
}

// checkPadding checks that the bytes from pos to the next 4-byte boundary
// are zero and returns that boundary.
func checkPadding(t *testing.T, blob []byte, pos int, key string) int {
	t.Helper()
	for ; pos%4 != 0; pos++ {
		if pos >= len(blob) || blob[pos] != 0 {
			t.Fatalf("%s: padding at %d is not zero", key, pos)
		}
	}
	return pos
}
