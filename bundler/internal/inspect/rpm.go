package inspect

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// RPM header tags bundle reads (rpmtag.h).
const (
	tagName        = 1000
	tagVersion     = 1001
	tagRelease     = 1002
	tagSummary     = 1004
	tagDescription = 1005
	tagLicense     = 1014
	tagURL         = 1020
	tagArch        = 1022
	tagDirIndexes  = 1116
	tagBasenames   = 1117
	tagDirNames    = 1118
)

// readRPM reads the main header of an rpm: after the 96-byte lead comes
// the signature header (padded to 8 bytes), then the main header. A
// header is a magic, an index of (tag, type, offset, count) entries and a
// data store. Written here because no maintained reader is among bundle's
// dependencies and this needs a few dozen lines.
func (p *Package) readRPM(r io.ReaderAt) error {
	sig, err := readRPMHeader(r, 96)
	if err != nil {
		return fmt.Errorf("signature header: %w", err)
	}
	off := 96 + int64(len(sig))
	off += (8 - off%8) % 8
	main, err := readRPMHeader(r, off)
	if err != nil {
		return fmt.Errorf("main header: %w", err)
	}
	h, _, err := rpmHeader(main)
	if err != nil {
		return fmt.Errorf("main header: %w", err)
	}
	for _, f := range []struct {
		key string
		tag int
	}{{"Name", tagName}, {"Version", tagVersion}, {"Release", tagRelease}, {"Architecture", tagArch},
		{"License", tagLicense}, {"URL", tagURL}, {"Summary", tagSummary}, {"Description", tagDescription}} {
		if v := h.strings(f.tag); len(v) > 0 {
			p.Fields = append(p.Fields, Field{f.key, v[0]})
		}
	}
	dirs, bases, idx := h.strings(tagDirNames), h.strings(tagBasenames), h.int32s(tagDirIndexes)
	for i, b := range bases {
		if i < len(idx) && int(idx[i]) < len(dirs) {
			if err := p.addFile(dirs[idx[i]]+b, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// readRPMHeader reads the header at off: its 16-byte preamble says how
// long it is, which is checked against maxHeader before it is read.
func readRPMHeader(r io.ReaderAt, off int64) ([]byte, error) {
	pre := make([]byte, 16)
	if _, err := r.ReadAt(pre, off); err != nil {
		return nil, errors.New("truncated header")
	}
	n, store := int64(binary.BigEndian.Uint32(pre[8:])), int64(binary.BigEndian.Uint32(pre[12:]))
	size := 16 + 16*n + store
	if size > maxHeader {
		return nil, fmt.Errorf("%s, more than the %s inspect reads of a header", humanBytes(size), humanBytes(maxHeader))
	}
	b := make([]byte, size)
	if _, err := r.ReadAt(b, off); err != nil {
		return nil, errors.New("truncated header")
	}
	if _, _, err := rpmHeader(b); err != nil {
		return nil, err
	}
	return b, nil
}

type rpmEntry struct{ typ, offset, count uint32 }

type rpmHdr struct {
	entries map[int]rpmEntry
	store   []byte
}

// rpmHeader parses one header and returns its total length.
func rpmHeader(b []byte) (rpmHdr, int, error) {
	if len(b) < 16 || b[0] != 0x8e || b[1] != 0xad || b[2] != 0xe8 {
		return rpmHdr{}, 0, errors.New("bad header magic")
	}
	n := int(binary.BigEndian.Uint32(b[8:]))
	storeLen := int(binary.BigEndian.Uint32(b[12:]))
	end := 16 + 16*n + storeLen
	if n < 0 || storeLen < 0 || end > len(b) {
		return rpmHdr{}, 0, errors.New("truncated header")
	}
	h := rpmHdr{entries: map[int]rpmEntry{}, store: b[16+16*n : end]}
	for i := 0; i < n; i++ {
		e := b[16+16*i:]
		h.entries[int(binary.BigEndian.Uint32(e))] = rpmEntry{binary.BigEndian.Uint32(e[4:]), binary.BigEndian.Uint32(e[8:]), binary.BigEndian.Uint32(e[12:])}
	}
	return h, end, nil
}

// strings returns a string, string array or i18n string tag's values.
func (h rpmHdr) strings(tag int) []string {
	e, ok := h.entries[tag]
	if !ok || (e.typ != 6 && e.typ != 8 && e.typ != 9) || int(e.offset) >= len(h.store) {
		return nil
	}
	count := int(e.count)
	if e.typ == 6 {
		count = 1
	}
	parts := strings.SplitN(string(h.store[e.offset:]), "\x00", count+1)
	if len(parts) < count {
		return nil
	}
	return parts[:count]
}

func (h rpmHdr) int32s(tag int) []uint32 {
	e, ok := h.entries[tag]
	if !ok || e.typ != 4 || int(e.offset)+4*int(e.count) > len(h.store) {
		return nil
	}
	out := make([]uint32, e.count)
	for i := range out {
		out[i] = binary.BigEndian.Uint32(h.store[int(e.offset)+4*i:])
	}
	return out
}
