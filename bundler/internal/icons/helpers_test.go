package icons

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// Fixtures shared with the rest of the repository, relative to this package.
const (
	projectIcon = "../../../testdata/project/assets/icon.png" // 256×256, opaque RGB
	exampleIcon = "../../../examples/hello/assets/icon.png"   // 1024×1024, RGBA
)

var (
	red         = color.NRGBA{255, 0, 0, 255}
	green       = color.NRGBA{0, 255, 0, 255}
	blue        = color.NRGBA{0, 0, 255, 255}
	transparent = color.NRGBA{255, 0, 255, 0} // magenta that must never show
)

// quadrants returns a size×size image: red top left, green top right, blue
// bottom left and transparent bottom right, so that orientation, channel
// order and alpha are all visible in a few pixels.
func quadrants(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	half := size / 2
	for y := range size {
		for x := range size {
			c := red
			switch {
			case x >= half && y < half:
				c = green
			case x < half && y >= half:
				c = blue
			case x >= half && y >= half:
				c = transparent
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func mustLoad(tb testing.TB, path string) image.Image {
	tb.Helper()
	img, err := Load(path)
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

// icoEntry is one ICONDIRENTRY read back from a file.
type icoEntry struct {
	width, height  byte
	colors         byte
	planes, bits   uint16
	length, offset uint32
}

// size is the entry's pixel size, with the format's 0 read as 256.
func (e icoEntry) size() int {
	if e.width == 0 {
		return 256
	}
	return int(e.width)
}

func (e icoEntry) data(file []byte) []byte { return file[e.offset : e.offset+e.length] }

// readICO parses the ICONDIR and its entries and checks that every entry
// lies inside the file.
func readICO(t *testing.T, file []byte) []icoEntry {
	t.Helper()
	le := binary.LittleEndian
	if len(file) < 6 || le.Uint16(file) != 0 || le.Uint16(file[2:]) != 1 {
		t.Fatalf("not an ICO header: % x", file[:min(6, len(file))])
	}
	count := int(le.Uint16(file[4:]))
	if len(file) < 6+16*count {
		t.Fatalf("directory of %d entries does not fit in %d bytes", count, len(file))
	}
	entries := make([]icoEntry, count)
	for i := range entries {
		d := file[6+16*i:]
		entries[i] = icoEntry{
			width: d[0], height: d[1], colors: d[2],
			planes: le.Uint16(d[4:]), bits: le.Uint16(d[6:]),
			length: le.Uint32(d[8:]), offset: le.Uint32(d[12:]),
		}
		if end := uint64(entries[i].offset) + uint64(entries[i].length); end > uint64(len(file)) {
			t.Fatalf("entry %d ends at %d, past the file's %d bytes", i, end, len(file))
		}
	}
	return entries
}

// icnsElement is one element of an icon family read back from a file.
type icnsElement struct {
	osType string
	data   []byte
}

// readICNS checks the magic and the total length and walks the elements.
func readICNS(t *testing.T, file []byte) []icnsElement {
	t.Helper()
	be := binary.BigEndian
	if len(file) < 8 || string(file[:4]) != "icns" {
		t.Fatalf("no icns magic: % x", file[:min(8, len(file))])
	}
	if total := be.Uint32(file[4:]); int(total) != len(file) {
		t.Fatalf("header says %d bytes, file has %d", total, len(file))
	}
	var elements []icnsElement
	for rest := file[8:]; len(rest) > 0; {
		if len(rest) < 8 {
			t.Fatalf("%d stray bytes after the last element", len(rest))
		}
		n := int(be.Uint32(rest[4:]))
		if n < 8 || n > len(rest) {
			t.Fatalf("element %q has length %d with %d bytes left", rest[:4], n, len(rest))
		}
		elements = append(elements, icnsElement{osType: string(rest[:4]), data: rest[8:n]})
		rest = rest[n:]
	}
	return elements
}

// decodePNG decodes data and returns the image and its PNG colour type
// (6 is RGBA).
func decodePNG(t *testing.T, data []byte) (image.Image, byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img, data[25] // signature (8) + IHDR length and type (8) + width, height, depth (9)
}

// near reports whether two colours differ by at most 2 per channel, the
// rounding a resampling filter may leave in a solid area.
func near(a, b color.NRGBA) bool {
	d := func(x, y uint8) bool { return max(x, y)-min(x, y) <= 2 }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && d(a.A, b.A)
}
