package icons

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		path string
		size int
	}{
		{projectIcon, 256},
		{exampleIcon, 1024},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(filepath.Dir(filepath.Dir(tt.path))), func(t *testing.T) {
			b := mustLoad(t, tt.path).Bounds()
			if b.Dx() != tt.size || b.Dy() != tt.size {
				t.Errorf("Load(%s) is %v, want %d×%d", tt.path, b, tt.size, tt.size)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name string
		path string
		want string
	}{
		{"not square", write("wide.png", pngOf(t, 512, 256)), "512×256 px, not square"},
		{"too small", write("small.png", pngOf(t, 64, 64)), "64×64 px, too small"},
		{"not a PNG", write("icon.png", []byte("GIF89a, or anything but a PNG")), "is not a PNG image"},
		{"truncated PNG", write("cut.png", pngOf(t, 256, 256)[:60]), "damaged PNG"},
		{"larger than bundle reads", write("huge.png", pngOf(t, 2049, 2049)), "2049×2049 px, larger than the 2048×2048 px bundle reads"},
		{"a header declaring 30000² RGBA16", write("header.png", headerOnly(30000, 16, 6)), "30000×30000 px, larger than the 2048×2048 px bundle reads"},
		{"more bytes than bundle reads", write("padded.png", append(pngOf(t, 256, 256), make([]byte, MaxFileSize)...)), "more than the 64 MB bundle reads of an icon"},
		{"missing", filepath.Join(dir, "missing.png"), "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.path)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "icons: ") || !strings.Contains(msg, tt.path) || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, want one that names %s and says %q", msg, tt.path, tt.want)
			}
		})
	}
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// headerOnly is the start of a PNG of side×side px: its signature and IHDR
// chunk, and nothing else.
func headerOnly(side uint32, depth, colorType byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, side)
	ihdr = binary.BigEndian.AppendUint32(ihdr, side)
	ihdr = append(ihdr, depth, colorType, 0, 0, 0)
	b := []byte("\x89PNG\r\n\x1a\n")
	b = binary.BigEndian.AppendUint32(b, uint32(len(ihdr)))
	b = append(b, "IHDR"...)
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte("IHDR"), ihdr...)))
}
