package icons

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
)

// ICOSizes are the sizes Windows asks for at the usual display scalings
// (100–300 %): 16–64 for title bars, the taskbar and small views, 96–256 for
// Explorer's larger views.
var ICOSizes = []int{16, 20, 24, 32, 40, 48, 64, 96, 128, 256}

const (
	icoMaxSize = 256 // the one-byte dimension field stores 256 as 0

	// PNGFrom is the smallest ICO entry stored as PNG.
	PNGFrom      = 64
	icoHeaderLen = 6  // ICONDIR
	icoEntryLen  = 16 // ICONDIRENTRY
	icoTypeIcon  = 1  // as opposed to 2, a cursor
)

// ICO encodes src as a Windows icon with one entry per size, in the order
// given; each size must be within 1..256 and appear once. Entries of
// PNGFrom px and larger are stored as PNG (read since Windows Vista; Go
// programs need Windows 10) to keep the file small: the 64, 96 and 128 px
// DIBs alone would be about 120 kB of a 1024 px icon's ICO, repeated in
// every exe and installer. Smaller ones are 32-bit DIBs, which old resource
// editors and icon tools read too.
func ICO(src image.Image, sizes []int) ([]byte, error) {
	if err := checkSource(src); err != nil {
		return nil, fmt.Errorf("icons: ico: %w", err)
	}
	if len(sizes) == 0 {
		return nil, errors.New("icons: ico: no sizes given; pass ICOSizes")
	}
	images := make([][]byte, len(sizes))
	seen := make(map[int]bool, len(sizes))
	for i, size := range sizes {
		if size < 1 || size > icoMaxSize {
			return nil, fmt.Errorf("icons: ico: size %d is outside 1..%d", size, icoMaxSize)
		}
		if seen[size] {
			return nil, fmt.Errorf("icons: ico: size %d is given twice", size)
		}
		seen[size] = true
		img := Scale(src, size)
		if size < PNGFrom {
			images[i] = dib(img)
			continue
		}
		data, err := encodePNG(img)
		if err != nil {
			return nil, fmt.Errorf("icons: ico %d px: %w", size, err)
		}
		images[i] = data
	}
	return icoFile(sizes, images), nil
}

// icoFile lays out the ICONDIR, one ICONDIRENTRY per image, then the images
// back to back in the same order.
func icoFile(sizes []int, images [][]byte) []byte {
	le := binary.LittleEndian
	offset := icoHeaderLen + icoEntryLen*len(images)
	total := offset
	for _, data := range images {
		total += len(data)
	}
	buf := make([]byte, 0, total)
	buf = le.AppendUint16(buf, 0) // reserved
	buf = le.AppendUint16(buf, icoTypeIcon)
	buf = le.AppendUint16(buf, uint16(len(images)))
	for i, data := range images {
		// Width, height, palette colours (none), reserved. 256 wraps to 0,
		// which is how the format spells it.
		dim := byte(sizes[i])
		buf = append(buf, dim, dim, 0, 0)
		// Planes and bit count are set for PNG entries too: Windows picks
		// the entry to show by them before it looks at the data.
		buf = le.AppendUint16(buf, 1)
		buf = le.AppendUint16(buf, dibBitCount)
		buf = le.AppendUint32(buf, uint32(len(data)))
		buf = le.AppendUint32(buf, uint32(offset))
		offset += len(data)
	}
	for _, data := range images {
		buf = append(buf, data...)
	}
	return buf
}
