package authenticode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"time"
)

// appxSignature is the part osslsigncode adds to an APPX or MSIX package.
const appxSignature = "AppxSignature.p7x"

var errDamaged = errors.New("the signed package's ZIP central directory is damaged")

// stampAppxSignature sets the ZIP time of the signature part of a signed
// APPX or MSIX package at path to t, in its local header and its central
// directory entry. osslsigncode stamps that entry with the clock even
// when -time fixes the signing time, so two signings of one package would
// differ in those four bytes. A file that is not such a package is left
// alone. Only the end of the file and the headers are read, whatever the
// package's size. Hand-written: archive/zip can only rewrite a whole
// archive, and the signature covers the other entries' bytes where they
// lie.
func stampAppxSignature(path string, t time.Time) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	size := info.Size()
	head := make([]byte, 4)
	if _, err := f.ReadAt(head, 0); err != nil || !bytes.Equal(head, []byte("PK\x03\x04")) {
		return nil
	}
	// The end record is in the last 22 bytes plus a comment of at most
	// 64 KiB.
	tail := make([]byte, min(size, 22+65535))
	if _, err := f.ReadAt(tail, size-int64(len(tail))); err != nil && err != io.EOF {
		return err
	}
	eocd := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if eocd < 0 || eocd+22 > len(tail) {
		return nil
	}
	entries := int(binary.LittleEndian.Uint16(tail[eocd+10:]))
	dirSize := int64(binary.LittleEndian.Uint32(tail[eocd+12:]))
	dirOff := int64(binary.LittleEndian.Uint32(tail[eocd+16:]))
	if entries == 0xFFFF || dirOff == 0xFFFFFFFF {
		return errors.New("the signed package needs ZIP64, which is not handled")
	}
	if dirOff+dirSize > size || dirSize > 64<<20 {
		return errDamaged
	}
	dir := make([]byte, dirSize)
	if _, err := f.ReadAt(dir, dirOff); err != nil {
		return err
	}
	date, clock := dosTime(t.UTC())
	stamp := make([]byte, 4)
	binary.LittleEndian.PutUint16(stamp, clock)
	binary.LittleEndian.PutUint16(stamp[2:], date)
	off := 0
	for range entries {
		if off+46 > len(dir) || !bytes.Equal(dir[off:off+4], []byte("PK\x01\x02")) {
			return errDamaged
		}
		nameLen := int(binary.LittleEndian.Uint16(dir[off+28:]))
		extraLen := int(binary.LittleEndian.Uint16(dir[off+30:]))
		commentLen := int(binary.LittleEndian.Uint16(dir[off+32:]))
		local := int64(binary.LittleEndian.Uint32(dir[off+42:]))
		if off+46+nameLen > len(dir) || local+30 > size {
			return errDamaged
		}
		if string(dir[off+46:off+46+nameLen]) == appxSignature {
			sig := make([]byte, 4)
			if _, err := f.ReadAt(sig, local); err != nil || !bytes.Equal(sig, []byte("PK\x03\x04")) {
				return errDamaged
			}
			// Time and date sit at 12 in a central directory entry and at
			// 10 in a local header.
			if _, err := f.WriteAt(stamp, dirOff+int64(off)+12); err != nil {
				return err
			}
			if _, err := f.WriteAt(stamp, local+10); err != nil {
				return err
			}
			return f.Close()
		}
		off += 46 + nameLen + extraLen + commentLen
	}
	return nil
}

// dosTime is t as a ZIP entry's MS-DOS date and time (two-second steps,
// years from 1980).
func dosTime(t time.Time) (date, clock uint16) {
	if t.Year() < 1980 {
		t = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	clock = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, clock
}
