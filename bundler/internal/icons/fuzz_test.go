package icons

import (
	"os"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the icon decoder and, when they
// decode to an image of the smallest accepted size, makes the Windows icon
// from it: nothing panics, every accepted image is within MinSize and
// MaxSize, and every failure is an error. (Scaling a larger image costs a
// second an input, which would leave the fuzzer little time to explore the
// decoder; the scaler's own tests cover large sources.)
func FuzzDecode(f *testing.F) {
	data, err := os.ReadFile(projectIcon)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(headerOnly(30000, 16, 6))
	f.Add(headerOnly(2048, 1, 0))
	f.Add(headerOnly(256, 8, 3))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Decode("fuzz.png", data)
		if err != nil {
			return
		}
		b := img.Bounds()
		if b.Dx() != b.Dy() || b.Dx() < MinSize || b.Dx() > MaxSize {
			t.Fatalf("accepted a %v image", b)
		}
		if b.Dx() > MinSize {
			return
		}
		if _, err := ICO(img, ICOSizes); err != nil {
			t.Fatalf("ICO of an accepted image: %v", err)
		}
	})
}
