package icons

import (
	"encoding/binary"
	"image"
)

const (
	dibHeaderLen = 40 // BITMAPINFOHEADER
	dibBitCount  = 32 // BGRA, 8 bits each
	biRGB        = 0  // uncompressed
)

// dib encodes img as the bitmap of an ICO entry: a BITMAPINFOHEADER whose
// height counts the colour rows and the AND-mask rows together (so twice the
// icon's), the colour rows bottom-up as BGRA with straight alpha, then a
// 1-bit AND mask (1 = transparent, rows padded to 32 bits) for readers that
// ignore the alpha channel.
func dib(img *image.NRGBA) []byte {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	maskStride := (w + 31) / 32 * 4
	colourLen := w * h * 4
	imageLen := colourLen + maskStride*h

	le := binary.LittleEndian
	buf := make([]byte, 0, dibHeaderLen+imageLen)
	buf = le.AppendUint32(buf, dibHeaderLen)
	buf = le.AppendUint32(buf, uint32(w))
	buf = le.AppendUint32(buf, uint32(2*h))
	buf = le.AppendUint16(buf, 1) // planes
	buf = le.AppendUint16(buf, dibBitCount)
	buf = le.AppendUint32(buf, biRGB)
	buf = le.AppendUint32(buf, uint32(imageLen))
	// Resolution and palette fields: icons leave them zero.
	buf = append(buf, make([]byte, 16)...)

	mask := make([]byte, maskStride*h)
	for row := range h {
		y := h - 1 - row // DIB rows run bottom-up
		pix := img.Pix[y*img.Stride : y*img.Stride+w*4]
		for x := range w {
			r, g, b, a := pix[4*x], pix[4*x+1], pix[4*x+2], pix[4*x+3]
			buf = append(buf, b, g, r, a)
			if a < 128 {
				mask[row*maskStride+x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	return append(buf, mask...)
}
