package winres

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildExe cross-compiles a tiny program for windows/arch with syso (when
// not nil) next to its main package, the way bundle links resources, and
// returns the .exe's path.
func buildExe(t *testing.T, arch string, syso []byte) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":  "module example.com/hello\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() { println(\"hello\") }\n",
	}
	if syso != nil {
		files["rsrc_windows_"+arch+".syso"] = string(syso)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exe := filepath.Join(dir, "hello.exe")
	cmd := exec.Command("go", "build", "-o", exe, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH="+arch, "CGO_ENABLED=0", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build for windows/%s: %v\n%s", arch, err, out)
	}
	return exe
}

// run runs a command and returns its standard output, failing the test on
// error.
func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// testICO hand-encodes an .ico file: 32-bit BMP images of 16 and 32 pixels
// and a 256-pixel PNG image, which the directory records as width 0.
func testICO(t *testing.T) []byte {
	t.Helper()
	images := [][]byte{bmpImage(16), bmpImage(32), pngImage(t, 256)}
	widths := []byte{16, 32, 0}
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	le([3]uint16{0, 1, uint16(len(images))}) // ICONDIR: reserved, type icon, count
	offset := 6 + 16*len(images)
	for i, img := range images { // ICONDIRENTRY
		b.Write([]byte{widths[i], widths[i], 0, 0}) // width, height, colours, reserved
		le([2]uint16{1, 32})                        // planes, bits per pixel
		le([2]uint32{uint32(len(img)), uint32(offset)})
		offset += len(img)
	}
	for _, img := range images {
		b.Write(img)
	}
	return b.Bytes()
}

// bmpImage is an ICO bitmap image: BITMAPINFOHEADER with the height doubled
// (colour rows plus mask rows), opaque BGRA rows, then an all-zero
// (opaque) 1-bit AND mask with rows padded to 32 bits.
func bmpImage(size int) []byte {
	maskRow := (size + 31) / 32 * 4
	pixels := bytes.Repeat([]byte{0x40, 0x80, 0xC0, 0xFF}, size*size)
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	le(uint32(40))                                       // biSize
	le([2]int32{int32(size), int32(2 * size)})           // biWidth, biHeight
	le([2]uint16{1, 32})                                 // biPlanes, biBitCount
	le([2]uint32{0, uint32(len(pixels) + maskRow*size)}) // BI_RGB, biSizeImage
	le([4]uint32{})                                      // resolution, colours used/important
	b.Write(pixels)
	b.Write(make([]byte, maskRow*size))
	return b.Bytes()
}

func pngImage(t *testing.T, size int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:], []byte{0xC0, 0x80, 0x40, 0xFF})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
