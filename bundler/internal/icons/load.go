package icons

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
)

// MinSize is the smallest source side Load accepts: the largest ICO entry is
// 256×256, and scaling up looks blurred everywhere.
const MinSize = 256

// MaxSize is the largest source side Load accepts. The largest icon any OS
// asks for is 1024×1024 (macOS), and decoding and scaling cost memory with
// the source's area: a 2048×2048 source at 16 bits per channel takes about
// 100 MB to scale, a 30000×30000 one would take gigabytes.
const MaxSize = 2048

// MaxFileSize is the most bytes of an icon file bundle reads: a 2048×2048
// PNG stored without compression is 32 MiB at 16 bits per channel.
const MaxFileSize = 64 << 20

// ReadFile reads an icon file, refusing one larger than MaxFileSize before
// reading it.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s is %d MB, more than the %d MB bundle reads of an icon; export it again as a PNG of 1024×1024 px", path, info.Size()>>20, MaxFileSize>>20)
	}
	return io.ReadAll(io.LimitReader(f, MaxFileSize+1))
}

// Load decodes the PNG at path and checks that it is square and between
// MinSize and MaxSize px. Errors name the path and say how to fix the file.
func Load(path string) (image.Image, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("icons: %w", err)
	}
	return Decode(path, data)
}

// Decode is Load of a file's content; name is the file's for messages.
func Decode(name string, data []byte) (image.Image, error) {
	// Check the header first so that a wrong size is reported without
	// decoding a possibly large image.
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("icons: %s is not a PNG image (%w); use a square PNG of at least %d×%d px", name, err, MinSize, MinSize)
	}
	if cfg.Width != cfg.Height {
		return nil, fmt.Errorf("icons: %s is %d×%d px, not square; pad or crop it to a square of at least %d×%d px", name, cfg.Width, cfg.Height, MinSize, MinSize)
	}
	if cfg.Width < MinSize {
		return nil, fmt.Errorf("icons: %s is %d×%d px, too small; use at least %d×%d px (1024×1024 is best)", name, cfg.Width, cfg.Height, MinSize, MinSize)
	}
	if cfg.Width > MaxSize {
		return nil, fmt.Errorf("icons: %s is %d×%d px, larger than the %d×%d px bundle reads; scale it to 1024×1024 px", name, cfg.Width, cfg.Height, MaxSize, MaxSize)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("icons: %s is a damaged PNG (%w); export it again", name, err)
	}
	return img, nil
}
