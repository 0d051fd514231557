package delta

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"strings"
	"testing"
)

// handPatch lays out a patch by hand from the package doc, so the layout
// is held to the doc, not only to bundle's writer.
func handPatch(t *testing.T, newSize int, ctrl [][3]int64, diff, extra []byte) []byte {
	t.Helper()
	var c []byte
	for _, tr := range ctrl {
		c = binary.AppendUvarint(c, uint64(tr[0]))
		c = binary.AppendUvarint(c, uint64(tr[1]))
		c = binary.AppendVarint(c, tr[2])
	}
	var blocks [][]byte
	for _, b := range [][]byte{c, diff, extra} {
		var z bytes.Buffer
		w, _ := flate.NewWriter(&z, flate.BestSpeed)
		w.Write(b)
		w.Close()
		blocks = append(blocks, z.Bytes())
	}
	p := []byte(Magic)
	for _, n := range []int{newSize, len(blocks[0]), len(blocks[1]), len(blocks[2])} {
		p = binary.LittleEndian.AppendUint64(p, uint64(n))
	}
	for _, b := range blocks {
		p = append(p, b...)
	}
	return p
}

func TestPatchLayout(t *testing.T) {
	old := []byte("hello, old world")
	// "hello, " from old; "new" from extra; skip "old"; " world" from
	// old with its "w" turned into "W" by a diff byte; "!" from extra.
	diff := append(make([]byte, 7), make([]byte, 6)...)
	diff[8] = 256 - ('w' - 'W') // "W" less "w", mod 256
	p := handPatch(t, 17, [][3]int64{{7, 3, 3}, {6, 1, 0}}, diff, []byte("new!"))
	var out bytes.Buffer
	if err := Patch(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p), int64(len(p)), &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "hello, new World!" {
		t.Errorf("patched: %q", got)
	}

	for name, bad := range map[string][]byte{
		"control past the size": handPatch(t, 5, [][3]int64{{7, 0, 0}}, make([]byte, 7), nil),
		"short diff":            handPatch(t, 17, [][3]int64{{7, 3, 3}, {6, 1, 0}}, make([]byte, 5), []byte("new!")),
		"short extra":           handPatch(t, 17, [][3]int64{{7, 3, 3}, {6, 1, 0}}, diff, []byte("ne")),
		"no magic":              append([]byte("BDPATCH0"), p[len(Magic):]...),
		"lengths that lie":      append(bytes.Clone(p), 0),
	} {
		err := Patch(bytes.NewReader(old), int64(len(old)), bytes.NewReader(bad), int64(len(bad)), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "corrupt patch") {
			t.Errorf("%s: %v, want a corrupt patch", name, err)
		}
	}
}
