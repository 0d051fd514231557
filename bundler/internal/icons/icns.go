package icons

import (
	"encoding/binary"
	"fmt"
	"image"
)

const icnsHeaderLen = 8 // OSType + big-endian length, for the file and each element

// icnsElements are the PNG element types current macOS reads, each with its
// pixel size; the @2x types share sizes with 1x ones.
var icnsElements = []struct {
	osType string
	px     int
}{
	{"icp4", 16},
	{"icp5", 32},
	{"icp6", 64},
	{"ic07", 128},
	{"ic08", 256},
	{"ic09", 512},
	{"ic10", 1024}, // 512@2x
	{"ic11", 32},   // 16@2x
	{"ic12", 64},   // 32@2x
	{"ic13", 256},  // 128@2x
	{"ic14", 512},  // 256@2x
}

// ICNS encodes src as an Apple icon family: "icns" and the file length, then
// one element per type in icnsElements, each its OSType, its length
// (including its 8-byte header) and a PNG.
//
// A 1024×1024 source is best: ic10 is 1024 px, and a smaller source (a
// 256 px one is accepted) is scaled up and looks soft on Retina displays.
func ICNS(src image.Image) ([]byte, error) {
	if err := checkSource(src); err != nil {
		return nil, fmt.Errorf("icons: icns: %w", err)
	}
	be := binary.BigEndian
	// The file length is filled in at the end.
	buf := append([]byte("icns"), 0, 0, 0, 0)
	// A 1x and a 2x type share each pixel size: encode it once.
	pngBySize := make(map[int][]byte)
	for _, e := range icnsElements {
		data, ok := pngBySize[e.px]
		if !ok {
			var err error
			if data, err = encodePNG(Scale(src, e.px)); err != nil {
				return nil, fmt.Errorf("icons: icns %s (%d px): %w", e.osType, e.px, err)
			}
			pngBySize[e.px] = data
		}
		buf = append(buf, e.osType...)
		buf = be.AppendUint32(buf, uint32(icnsHeaderLen+len(data)))
		buf = append(buf, data...)
	}
	be.PutUint32(buf[4:], uint32(len(buf)))
	return buf, nil
}
