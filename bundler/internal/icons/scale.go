package icons

import (
	"errors"
	"image"

	"golang.org/x/image/draw"
)

// Scale returns src scaled to size×size (size must be positive) with the
// Catmull-Rom kernel, which stays sharp when scaling down and widens its
// support so that 1024 → 16 px does not alias.
//
// The result is an *image.NRGBA because every output format stores straight
// (non-premultiplied) alpha. The scaler itself works premultiplied and the
// NRGBA destination converts back per pixel, so fully transparent source
// pixels cannot bleed their hidden colour into the edges.
func Scale(src image.Image, size int) *image.NRGBA {
	dst := image.NewNRGBA(image.Rect(0, 0, size, size))
	if s, ok := src.(*image.NRGBA); ok && s.Rect.Dx() == size && s.Rect.Dy() == size {
		// Same size: copying keeps the source pixels exact, which the
		// premultiplied round trip of the scaler would not for faint
		// alpha, and skips the most expensive resampling.
		for y := range size {
			row := s.Pix[s.PixOffset(s.Rect.Min.X, s.Rect.Min.Y+y):]
			copy(dst.Pix[y*dst.Stride:(y+1)*dst.Stride], row)
		}
		return dst
	}
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return dst
}

// checkSource rejects an empty image, which would otherwise scale silently
// into a fully transparent icon.
func checkSource(src image.Image) error {
	if src == nil || src.Bounds().Empty() {
		return errors.New("the source image is empty")
	}
	return nil
}
