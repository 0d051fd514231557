// Package msixtest checks an MSIX package's block map the way Windows
// does on install, written here from the format's documentation
// (learn.microsoft.com, "App package block map"), independently of the
// library that writes the package.
package msixtest

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"strings"
)

// blockMap is AppxBlockMap.xml, as far as the check reads it.
type blockMap struct {
	Files []struct {
		Name    string `xml:"Name,attr"`
		Size    int64  `xml:"Size,attr"`
		LfhSize int64  `xml:"LfhSize,attr"`
		Blocks  []struct {
			Hash string `xml:"Hash,attr"`
		} `xml:"Block"`
	} `xml:"File"`
}

// CheckBlockMap compares the block map with the package's entries, as
// Windows does on install: each listed file's size, the size of its
// local header, and the SHA-256 of each 64 KiB block of its content; and
// every file but the package's own parts is listed.
func CheckBlockMap(pkg string) error {
	raw, err := os.ReadFile(pkg)
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return err
	}
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		entries[f.Name] = f
	}
	bmFile, ok := entries["AppxBlockMap.xml"]
	if !ok {
		return errors.New("no AppxBlockMap.xml")
	}
	rc, err := bmFile.Open()
	if err != nil {
		return err
	}
	var bm blockMap
	err = xml.NewDecoder(rc).Decode(&bm)
	rc.Close()
	if err != nil {
		return err
	}
	listed := map[string]bool{}
	for _, bf := range bm.Files {
		name := strings.ReplaceAll(bf.Name, `\`, "/")
		listed[name] = true
		f, ok := entries[name]
		if !ok {
			return errors.New("the block map lists " + name + ", which the package lacks")
		}
		if int64(f.UncompressedSize64) != bf.Size {
			return errors.New(name + ": its size differs from the block map's")
		}
		data, err := f.DataOffset()
		if err != nil {
			return err
		}
		lfh := data - bf.LfhSize
		if lfh < 0 || !bytes.Equal(raw[lfh:lfh+4], []byte("PK\x03\x04")) ||
			30+int64(binary.LittleEndian.Uint16(raw[lfh+26:]))+int64(binary.LittleEndian.Uint16(raw[lfh+28:])) != bf.LfhSize {
			return errors.New(name + ": its local header is not the block map's LfhSize")
		}
		content, err := f.Open()
		if err != nil {
			return err
		}
		all, err := io.ReadAll(content)
		content.Close()
		if err != nil {
			return err
		}
		var blocks int
		for off := 0; off < len(all) || off == 0; off += 64 << 10 {
			end := min(off+64<<10, len(all))
			if blocks >= len(bf.Blocks) {
				return errors.New(name + ": more blocks than the block map lists")
			}
			sum := sha256.Sum256(all[off:end])
			if base64.StdEncoding.EncodeToString(sum[:]) != bf.Blocks[blocks].Hash {
				return errors.New(name + ": a block's hash differs from the block map's")
			}
			blocks++
			if len(all) == 0 {
				break
			}
		}
		if blocks != len(bf.Blocks) {
			return errors.New(name + ": fewer blocks than the block map lists")
		}
	}
	for name := range entries {
		switch name {
		case "AppxBlockMap.xml", "[Content_Types].xml", "AppxSignature.p7x":
		default:
			if !listed[name] && !strings.HasSuffix(name, "/") {
				return errors.New(name + " is not in the block map")
			}
		}
	}
	return nil
}
