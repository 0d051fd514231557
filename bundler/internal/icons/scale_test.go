package icons

import (
	"image"
	"testing"
)

// TestScaleStraightAlpha checks that a pixel on the edge between blue and
// transparent magenta is blue with partial alpha: a premultiplication
// mistake would let the hidden magenta bleed in, or darken the blue.
func TestScaleStraightAlpha(t *testing.T) {
	img := Scale(quadrants(256), 32)
	c := img.NRGBAAt(16, 27)
	if c.A == 0 || c.A == 255 {
		t.Fatalf("edge pixel %v is not partly transparent", c)
	}
	if c.R > 2 || c.G > 2 || c.B < 253 {
		t.Errorf("edge pixel %v, want straight blue", c)
	}
}

// TestScaleSameSizeIsExact checks that scaling to the source's own size
// keeps every pixel, faint alpha included.
func TestScaleSameSizeIsExact(t *testing.T) {
	src := image.NewNRGBA(image.Rect(3, 5, 35, 37)) // not at the origin
	for i := range src.Pix {
		src.Pix[i] = byte(i * 7)
	}
	got := Scale(src, 32)
	for y := range 32 {
		for x := range 32 {
			if g, w := got.NRGBAAt(x, y), src.NRGBAAt(3+x, 5+y); g != w {
				t.Fatalf("pixel (%d,%d) is %v, want %v", x, y, g, w)
			}
		}
	}
}
