package icons

import (
	"image"
	"strings"
	"testing"
)

func TestPNGHicolorSizes(t *testing.T) {
	src := mustLoad(t, projectIcon) // opaque: the output must still carry alpha
	for _, size := range HicolorSizes {
		data, err := PNG(src, size)
		if err != nil {
			t.Fatal(err)
		}
		img, colorType := decodePNG(t, data)
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Errorf("%d px PNG decodes to %v", size, b)
		}
		if colorType != 6 {
			t.Errorf("%d px PNG has colour type %d, want 6 (RGBA)", size, colorType)
		}
	}
}

func TestPNGErrors(t *testing.T) {
	tests := []struct {
		name string
		src  image.Image
		size int
		want string
	}{
		{"zero size", quadrants(256), 0, "size 0 is not positive"},
		{"negative size", quadrants(256), -16, "size -16 is not positive"},
		{"nil source", nil, 16, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PNG(tt.src, tt.size)
			if err == nil || !strings.HasPrefix(err.Error(), "icons: png: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one starting with \"icons: png: \" that says %q", err, tt.want)
			}
		})
	}
}
