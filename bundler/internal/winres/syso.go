package winres

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/akavel/rsrc/binutil"
	"github.com/akavel/rsrc/coff"
	"github.com/akavel/rsrc/ico"
)

// rtVersion is the RT_VERSION resource type; rsrc/coff only names the icon
// and manifest types but accepts any number.
const rtVersion = 16

// Syso writes a COFF object for arch (386, amd64 or arm64) holding the
// icon group made from icon, a whole .ico file (RT_ICON ids 1..n and
// RT_GROUP_ICON id 1), the manifest (RT_MANIFEST id 1, the id Windows
// reads for an .exe) and the version information (RT_VERSION id 1). Any
// of the three may be empty, not all of them. The go command links such an
// object into the program when it lies in the main package's directory
// under a name ending in _windows_<arch>.syso.
func Syso(w io.Writer, arch string, icon, manifest, version []byte) error {
	if len(icon) == 0 && len(manifest) == 0 && len(version) == 0 {
		return errors.New("winres: no icon, manifest or version information to write")
	}
	if len(version) > 0 {
		if err := checkVersionBlob(version); err != nil {
			return err
		}
	}
	obj := coff.NewRSRC()
	if err := obj.Arch(arch); err != nil { // must precede AddResource, which reads the machine type
		return fmt.Errorf("winres: %w", err)
	}
	// coff.AddResource wants the ids of one type in increasing order.
	if len(icon) > 0 {
		if err := addIcons(obj, icon); err != nil {
			return err
		}
	}
	if len(manifest) > 0 {
		obj.AddResource(coff.RT_MANIFEST, 1, bytes.NewReader(manifest))
	}
	if len(version) > 0 {
		obj.AddResource(rtVersion, 1, bytes.NewReader(version))
	}
	obj.Freeze()
	if err := writeCoff(w, obj); err != nil {
		return fmt.Errorf("winres: writing the %s object: %w", arch, err)
	}
	return nil
}

// addIcons adds each image of the .ico file as an RT_ICON and the
// directory that ties them together as RT_GROUP_ICON 1. The group
// directory is the file's directory with each 4-byte file offset replaced
// by the 2-byte RT_ICON id (GRPICONDIRENTRY).
func addIcons(obj *coff.Coff, file []byte) error {
	entries, err := ico.DecodeHeaders(bytes.NewReader(file))
	if err != nil {
		return fmt.Errorf("winres: icon is not an .ico file: %w", err)
	}
	if len(entries) == 0 {
		return errors.New("winres: icon file holds no images")
	}
	var group bytes.Buffer
	write := func(v any) { binary.Write(&group, binary.LittleEndian, v) } // bytes.Buffer writes never fail
	write(ico.ICONDIR{Type: 1, Count: uint16(len(entries))})
	for i, e := range entries {
		end := uint64(e.ImageOffset) + uint64(e.BytesInRes)
		if e.BytesInRes == 0 || end > uint64(len(file)) {
			return fmt.Errorf("winres: icon image %d (%d bytes at offset %d) lies outside the %d-byte file", i+1, e.BytesInRes, e.ImageOffset, len(file))
		}
		id := uint16(i + 1)
		obj.AddResource(coff.RT_ICON, id, bytes.NewReader(file[e.ImageOffset:end]))
		write(e.IconDirEntryCommon)
		write(id)
	}
	obj.AddResource(coff.RT_GROUP_ICON, 1, bytes.NewReader(group.Bytes()))
	return nil
}

// checkVersionBlob rejects bytes that are not one whole VS_VERSIONINFO,
// including the wrapped 16-bit lengths of a VersionInfo over 64 KiB.
func checkVersionBlob(b []byte) error {
	if len(b) < 6 || int(binary.LittleEndian.Uint16(b)) != len(b) {
		return fmt.Errorf("winres: version information of %d bytes does not hold its own length (the limit is 65535 bytes)", len(b))
	}
	if _, err := parseVersionInfo(b); err != nil {
		return fmt.Errorf("winres: version information: %w", err)
	}
	return nil
}

// writeCoff serializes obj the way rsrc's own writer does: rsrc keeps that
// writer in its internal package, which Go forbids importing, and its only
// public entry point (rsrc.Embed) takes file names and has no version
// resource. The object is a tree of fixed-size fields, written
// little-endian in declaration order, and of data blocks (SizedReaders)
// copied verbatim.
func writeCoff(w io.Writer, obj *coff.Coff) error {
	out := binutil.Writer{W: w}
	err := binutil.Walk(obj, func(v reflect.Value, path string) error {
		if binutil.Plain(v.Kind()) {
			out.WriteLE(v.Interface())
			return out.Err
		}
		if data, ok := v.Interface().(binutil.SizedReader); ok {
			out.WriteFromSized(data)
			if out.Err != nil {
				return out.Err
			}
			return binutil.WALK_SKIP // written whole: do not descend into the reader's fields
		}
		return nil
	})
	if err != nil {
		return err
	}
	return out.Err
}
