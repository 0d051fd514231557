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

// CheckContentTypes checks that [Content_Types].xml types every part of
// the package, by its extension or by its name, as the Open Packaging
// Conventions require and Windows checks.
func CheckContentTypes(pkg string) error {
	zr, err := zip.OpenReader(pkg)
	if err != nil {
		return err
	}
	defer zr.Close()
	var types struct {
		Defaults []struct {
			Extension   string `xml:"Extension,attr"`
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Default"`
		Overrides []struct {
			PartName    string `xml:"PartName,attr"`
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Override"`
	}
	for _, f := range zr.File {
		if f.Name != "[Content_Types].xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		err = xml.NewDecoder(rc).Decode(&types)
		rc.Close()
		if err != nil {
			return err
		}
	}
	exts, parts := map[string]string{}, map[string]string{}
	for _, d := range types.Defaults {
		exts[strings.ToLower(d.Extension)] = d.ContentType
	}
	for _, o := range types.Overrides {
		parts[strings.ToLower(o.PartName)] = o.ContentType
	}
	// A part's type is its Override's, else its extension's Default.
	typeOf := func(name string) string {
		if t, ok := parts[strings.ToLower("/"+name)]; ok {
			return t
		}
		if i := strings.LastIndex(name, "."); i > strings.LastIndex(name, "/") {
			return exts[strings.ToLower(name[i+1:])]
		}
		return ""
	}
	// The package's own parts have types of their own.
	own := map[string]string{"AppxManifest.xml": "application/vnd.ms-appx.manifest+xml", "AppxBlockMap.xml": "application/vnd.ms-appx.blockmap+xml"}
	for _, f := range zr.File {
		if f.Name == "[Content_Types].xml" || strings.HasSuffix(f.Name, "/") {
			continue
		}
		t := typeOf(f.Name)
		if t == "" {
			return errors.New(f.Name + " has no content type in [Content_Types].xml")
		}
		if want, ok := own[f.Name]; ok && t != want {
			return errors.New(f.Name + " has the content type " + t + ", not " + want)
		}
	}
	return nil
}
