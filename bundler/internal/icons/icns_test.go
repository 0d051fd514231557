package icons

import (
	"image"
	"testing"
)

func TestICNS(t *testing.T) {
	wantPx := map[string]int{
		"icp4": 16, "icp5": 32, "icp6": 64,
		"ic07": 128, "ic08": 256, "ic09": 512, "ic10": 1024,
		"ic11": 32, "ic12": 64, "ic13": 256, "ic14": 512,
	}
	tests := []struct {
		name string
		src  func(testing.TB) image.Image
	}{
		{"1024 px example", func(tb testing.TB) image.Image { return mustLoad(tb, exampleIcon) }},
		{"256 px fixture scaled up", func(tb testing.TB) image.Image { return mustLoad(tb, projectIcon) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, err := ICNS(tt.src(t))
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, e := range readICNS(t, file) {
				px, known := wantPx[e.osType]
				if !known {
					t.Errorf("unexpected element %q", e.osType)
					continue
				}
				if seen[e.osType] {
					t.Errorf("element %q appears twice", e.osType)
				}
				seen[e.osType] = true
				img, _ := decodePNG(t, e.data)
				if b := img.Bounds(); b.Dx() != px || b.Dy() != px {
					t.Errorf("%s decodes to %v, want %d×%d", e.osType, b, px, px)
				}
			}
			for osType := range wantPx {
				if !seen[osType] {
					t.Errorf("element %q is missing", osType)
				}
			}
		})
	}
}

func TestICNSEmptySource(t *testing.T) {
	_, err := ICNS(image.NewNRGBA(image.Rect(0, 0, 0, 0)))
	if err == nil || err.Error() != "icons: icns: the source image is empty" {
		t.Fatalf("error %v, want the empty source named", err)
	}
}
