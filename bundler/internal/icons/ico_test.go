package icons

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testtool"
)

func TestICODirectory(t *testing.T) {
	tests := []struct {
		name  string
		src   func(testing.TB) image.Image
		sizes []int
	}{
		{"quadrants all sizes", func(testing.TB) image.Image { return quadrants(256) }, ICOSizes},
		{"opaque 256 px fixture", func(tb testing.TB) image.Image { return mustLoad(tb, projectIcon) }, ICOSizes},
		{"1024 px example", func(tb testing.TB) image.Image { return mustLoad(tb, exampleIcon) }, ICOSizes},
		{"bitmaps only, unsorted", func(testing.TB) image.Image { return quadrants(256) }, []int{48, 16, 33}},
		{"png only", func(testing.TB) image.Image { return quadrants(256) }, []int{256}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, err := ICO(tt.src(t), tt.sizes)
			if err != nil {
				t.Fatal(err)
			}
			entries := readICO(t, file)
			if len(entries) != len(tt.sizes) {
				t.Fatalf("%d entries, want %d", len(entries), len(tt.sizes))
			}
			next := uint32(6 + 16*len(entries)) // images follow the directory back to back
			for i, e := range entries {
				want := tt.sizes[i]
				if e.size() != want || e.height != e.width {
					t.Errorf("entry %d is %d×%d, want %d", i, e.width, e.height, want)
				}
				if want == 256 && e.width != 0 {
					t.Errorf("256 px entry stores width %d, want 0", e.width)
				}
				if e.planes != 1 || e.bits != 32 || e.colors != 0 {
					t.Errorf("entry %d: planes %d, bits %d, colours %d; want 1, 32, 0", i, e.planes, e.bits, e.colors)
				}
				if e.offset != next {
					t.Errorf("entry %d at offset %d, want %d (no gaps, no overlaps)", i, e.offset, next)
				}
				next = e.offset + e.length
				checkICOImage(t, e.data(file), want)
			}
			if int(next) != len(file) {
				t.Errorf("images end at %d, file is %d bytes", next, len(file))
			}
		})
	}
}

// checkICOImage checks that entries of PNGFrom px and larger are RGBA PNGs
// of their size and that smaller ones are 32-bit DIBs with a doubled height.
func checkICOImage(t *testing.T, data []byte, size int) {
	t.Helper()
	isPNG := bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n"))
	if size >= PNGFrom {
		if !isPNG {
			t.Fatalf("%d px entry is not a PNG", size)
		}
		img, colorType := decodePNG(t, data)
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Errorf("%d px entry decodes to %v", size, b)
		}
		if colorType != 6 {
			t.Errorf("%d px entry has PNG colour type %d; Windows needs 6 (RGBA)", size, colorType)
		}
		return
	}
	if isPNG {
		t.Fatalf("%d px entry is a PNG, want a DIB", size)
	}
	h := readDIBHeader(data)
	maskLen := (size + 31) / 32 * 4 * size
	want := dibHeader{40, int32(size), int32(2 * size), 1, 32, 0, uint32(size*size*4 + maskLen)}
	if h != want {
		t.Errorf("%d px DIB header %+v, want %+v", size, h, want)
	}
	if len(data) != 40+int(want.SizeImage) {
		t.Errorf("%d px DIB is %d bytes, want %d", size, len(data), 40+want.SizeImage)
	}
}

type dibHeader struct {
	Size          uint32
	Width, Height int32
	Planes, Bits  uint16
	Compression   uint32
	SizeImage     uint32
}

func readDIBHeader(data []byte) dibHeader {
	le := binary.LittleEndian
	return dibHeader{
		Size: le.Uint32(data), Width: int32(le.Uint32(data[4:])), Height: int32(le.Uint32(data[8:])),
		Planes: le.Uint16(data[12:]), Bits: le.Uint16(data[14:]),
		Compression: le.Uint32(data[16:]), SizeImage: le.Uint32(data[20:]),
	}
}

// TestICOBitmapPixels reads pixels of a DIB entry back: rows bottom-up, BGRA
// order, straight alpha and the AND mask bit.
func TestICOBitmapPixels(t *testing.T) {
	const size = 32
	file, err := ICO(quadrants(256), []int{size})
	if err != nil {
		t.Fatal(err)
	}
	data := readICO(t, file)[0].data(file)
	pixel := func(x, y int) (color.NRGBA, bool) {
		row := size - 1 - y
		p := data[40+(row*size+x)*4:]
		maskStride := (size + 31) / 32 * 4
		m := data[40+size*size*4+row*maskStride+x/8]
		return color.NRGBA{R: p[2], G: p[1], B: p[0], A: p[3]}, m&(0x80>>(x%8)) != 0
	}
	tests := []struct {
		name        string
		x, y        int
		want        color.NRGBA
		transparent bool
	}{
		{"top left red", 4, 4, red, false},
		{"top right green", 27, 4, green, false},
		{"bottom left blue", 4, 27, blue, false},
		{"bottom right transparent", 27, 27, color.NRGBA{}, true},
		{"last pixel transparent", 31, 31, color.NRGBA{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, masked := pixel(tt.x, tt.y)
			if tt.transparent {
				if got.A != 0 {
					t.Errorf("alpha %d, want 0", got.A)
				}
			} else if !near(got, tt.want) {
				t.Errorf("pixel %v, want %v", got, tt.want)
			}
			if masked != tt.transparent {
				t.Errorf("AND mask bit %v, want %v", masked, tt.transparent)
			}
		})
	}
}

func TestICOErrors(t *testing.T) {
	tests := []struct {
		name  string
		src   image.Image
		sizes []int
		want  string
	}{
		{"no sizes", quadrants(256), nil, "no sizes"},
		{"zero", quadrants(256), []int{16, 0}, "size 0 is outside"},
		{"too large", quadrants(256), []int{512}, "size 512 is outside"},
		{"twice", quadrants(256), []int{16, 32, 16}, "size 16 is given twice"},
		{"empty source", image.NewNRGBA(image.Rect(0, 0, 0, 0)), ICOSizes, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ICO(tt.src, tt.sizes)
			if err == nil || !strings.HasPrefix(err.Error(), "icons: ico: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one starting with \"icons: ico: \" that says %q", err, tt.want)
			}
		})
	}
}

// TestICOIcotool has icoutils, an independent reader, list the entries.
func TestICOIcotool(t *testing.T) {
	testtool.Need(t, "icoutils", "icotool")
	icotool := "icotool"
	file, err := ICO(mustLoad(t, exampleIcon), ICOSizes)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "app.ico")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(icotool, "-l", path).CombinedOutput()
	if err != nil {
		t.Fatalf("icotool -l: %v\n%s", err, out)
	}
	var listed []int
	for line := range strings.Lines(string(out)) {
		var index, w, h, depth, palette int
		if _, err := fmt.Sscanf(line, "--icon --index=%d --width=%d --height=%d --bit-depth=%d --palette-size=%d", &index, &w, &h, &depth, &palette); err != nil {
			t.Fatalf("unexpected icotool line %q: %v", line, err)
		}
		if w != h || depth != 32 {
			t.Errorf("icotool lists %d×%d at %d bits: %q", w, h, depth, line)
		}
		listed = append(listed, w)
	}
	slices.Sort(listed)
	if !slices.Equal(listed, ICOSizes) { // ICOSizes is sorted
		t.Errorf("icotool lists sizes %v, want %v\n%s", listed, ICOSizes, out)
	}
}
