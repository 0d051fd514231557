package icons

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
)

// MinSize is the smallest source side Load accepts: the largest ICO entry is
// 256×256, and scaling up looks blurred everywhere.
const MinSize = 256

// Load decodes the PNG at path and checks that it is square and at least
// MinSize px. Errors name the path and say how to fix the file.
func Load(path string) (image.Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("icons: %w", err)
	}
	// Check the header first so that a wrong size is reported without
	// decoding a possibly large image.
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("icons: %s is not a PNG image (%w); use a square PNG of at least %d×%d px", path, err, MinSize, MinSize)
	}
	if cfg.Width != cfg.Height {
		return nil, fmt.Errorf("icons: %s is %d×%d px, not square; pad or crop it to a square of at least %d×%d px", path, cfg.Width, cfg.Height, MinSize, MinSize)
	}
	if cfg.Width < MinSize {
		return nil, fmt.Errorf("icons: %s is %d×%d px, too small; use at least %d×%d px (1024×1024 is best)", path, cfg.Width, cfg.Height, MinSize, MinSize)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("icons: %s is a damaged PNG (%w); export it again", path, err)
	}
	return img, nil
}
