package icons

import (
	"bytes"
	"image"
	"testing"
)

// TestDeterministic encodes twice from two independent loads of the same
// file: the bytes must not differ.
func TestDeterministic(t *testing.T) {
	encoders := []struct {
		name   string
		encode func(image.Image) ([]byte, error)
	}{
		{"ico", func(src image.Image) ([]byte, error) { return ICO(src, ICOSizes) }},
		{"icns", ICNS},
		{"png 48", func(src image.Image) ([]byte, error) { return PNG(src, 48) }},
	}
	for _, enc := range encoders {
		t.Run(enc.name, func(t *testing.T) {
			first, err := enc.encode(mustLoad(t, exampleIcon))
			if err != nil {
				t.Fatal(err)
			}
			second, err := enc.encode(mustLoad(t, exampleIcon))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, second) {
				t.Errorf("two encodes differ (%d and %d bytes)", len(first), len(second))
			}
		})
	}
}
