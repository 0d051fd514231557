package icons

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
)

// HicolorSizes are the sizes installed under
// /usr/share/icons/hicolor/<n>x<n>/apps/, from menus (16) to software
// centres and HiDPI launchers (512).
var HicolorSizes = []int{16, 24, 32, 48, 64, 128, 256, 512}

// PNG returns src scaled to size×size as an 8-bit RGBA PNG.
func PNG(src image.Image, size int) ([]byte, error) {
	if err := checkSource(src); err != nil {
		return nil, fmt.Errorf("icons: png: %w", err)
	}
	if size < 1 {
		return nil, fmt.Errorf("icons: png: size %d is not positive", size)
	}
	data, err := encodePNG(Scale(src, size))
	if err != nil {
		return nil, fmt.Errorf("icons: png %d px: %w", size, err)
	}
	return data, nil
}

// pngEncoder fixes the compression level, so that for a given Go toolchain
// the output depends only on the pixels. The default level, not the best:
// BestCompression saves about 5 % of the .icns but takes half as long again.
var pngEncoder = png.Encoder{CompressionLevel: png.DefaultCompression}

// encodePNG writes img as 8-bit RGBA even when it is fully opaque: Windows
// reads PNG icon entries only as 32bpp ARGB, and one pixel format for every
// output keeps the ICO, ICNS and hicolor files alike.
func encodePNG(img *image.NRGBA) ([]byte, error) {
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, keepAlpha{img}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// keepAlpha claims never to be opaque, the only way to stop image/png from
// dropping the alpha channel of an opaque image.
type keepAlpha struct{ *image.NRGBA }

func (keepAlpha) Opaque() bool { return false }
