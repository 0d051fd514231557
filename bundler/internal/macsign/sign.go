package macsign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"debug/macho"
	"encoding/binary"
	"fmt"
	"time"

	bmacho "github.com/bundlekit/bundle/bundler/internal/macho"
)

// Options says how to sign one executable.
type Options struct {
	Identity     *Identity
	Identifier   string        // the bundle id of an app, or the program's own id
	Hardened     bool          // hardened runtime, which notarization requires
	Entitlements *Entitlements // nil for none
	InfoPlist    []byte        // the app's Info.plist; nil for a bare executable
	Resources    []byte        // the app's CodeResources; nil for a bare executable
	Time         time.Time     // the signing time: the build's source time keeps signed builds reproducible; zero: now
	Timestamper  *Timestamper  // a secure timestamp for each signature; nil: none
}

// Mach-O load commands and header fields this package reads or writes.
const (
	lcSegment64      = 0x19
	lcCodeSignature  = 0x1d
	machHeader64Size = 32
	mhExecute        = 2
	segmentCmdSize   = 72
	sectionSize      = 80
)

// SignExecutable signs a thin or universal Mach-O executable and returns
// the signed file. Each slice of a universal binary is signed on its own,
// then the slices are merged again.
func SignExecutable(ctx context.Context, data []byte, o Options) ([]byte, error) {
	if len(data) >= 4 && (binary.BigEndian.Uint32(data) == 0xcafebabe || binary.BigEndian.Uint32(data) == 0xcafebabf) {
		slices, err := bmacho.Slices(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		signed := make([][]byte, len(slices))
		for i, s := range slices {
			if signed[i], err = signThin(ctx, s.Data, o); err != nil {
				return nil, fmt.Errorf("%s slice: %w", s.CPU, err)
			}
		}
		var b bytes.Buffer
		if err := bmacho.Universal(&b, signed...); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	return signThin(ctx, data, o)
}

// layout is what signThin needs to know of a thin Mach-O file.
type layout struct {
	ncmds, sizeofcmds uint32
	linkedit          int // offset of the __LINKEDIT segment command
	codeSig           int // offset of LC_CODE_SIGNATURE, or -1
	textOff, textSize uint64
	firstSection      int // lowest file offset of any section's contents
	execute           bool
	pageAlign         uint64
}

func readLayout(data []byte) (layout, error) {
	f, err := macho.NewFile(bytes.NewReader(data))
	if err != nil {
		return layout{}, fmt.Errorf("not a Mach-O file: %w", err)
	}
	if f.Magic != macho.Magic64 || f.ByteOrder != binary.LittleEndian {
		return layout{}, fmt.Errorf("not a 64-bit little-endian Mach-O file")
	}
	le := binary.LittleEndian
	l := layout{ncmds: le.Uint32(data[16:]), sizeofcmds: le.Uint32(data[20:]), linkedit: -1, codeSig: -1,
		firstSection: len(data), execute: f.Type == mhExecute, pageAlign: 0x1000}
	if f.Cpu == macho.CpuArm64 {
		l.pageAlign = 0x4000
	}
	off := machHeader64Size
	for range l.ncmds {
		// debug/macho has checked the commands; these bounds keep a file
		// that fooled it from panicking here (bundle inspect reads any file).
		if off+8 > len(data) {
			return layout{}, fmt.Errorf("truncated load commands")
		}
		cmd, size := le.Uint32(data[off:]), int(le.Uint32(data[off+4:]))
		if size < 8 || off+size > len(data) {
			return layout{}, fmt.Errorf("bad load command size %d", size)
		}
		switch cmd {
		case lcSegment64:
			if size < segmentCmdSize || segmentCmdSize+sectionSize*int(le.Uint32(data[off+64:])) > size {
				return layout{}, fmt.Errorf("bad segment command")
			}
			name := string(bytes.TrimRight(data[off+8:off+24], "\x00"))
			switch name {
			case "__LINKEDIT":
				l.linkedit = off
			case "__TEXT":
				l.textOff, l.textSize = le.Uint64(data[off+40:]), le.Uint64(data[off+48:])
			}
			for j := range int(le.Uint32(data[off+64:])) {
				sec := off + segmentCmdSize + sectionSize*j
				if o, n := int(le.Uint32(data[sec+48:])), le.Uint64(data[sec+40:]); o != 0 && n > 0 {
					l.firstSection = min(l.firstSection, o)
				}
			}
		case lcCodeSignature:
			if size < 16 {
				return layout{}, fmt.Errorf("bad LC_CODE_SIGNATURE")
			}
			l.codeSig = off
		}
		off += size
	}
	if l.linkedit < 0 {
		return layout{}, fmt.Errorf("no __LINKEDIT segment")
	}
	return l, nil
}

// signThin signs a thin 64-bit Mach-O executable: it makes room for the
// signature at the end of __LINKEDIT (adding LC_CODE_SIGNATURE if the
// linker wrote none, as Go's does not for amd64), then hashes the file up
// to the signature and appends it.
func signThin(ctx context.Context, in []byte, o Options) ([]byte, error) {
	l, err := readLayout(in)
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	data := bytes.Clone(in)
	linkOff, linkSize := le.Uint64(data[l.linkedit+40:]), le.Uint64(data[l.linkedit+48:])
	var sigOff int
	if l.codeSig >= 0 {
		sigOff = int(le.Uint32(data[l.codeSig+8:]))
		if sigOff > len(data) || uint64(sigOff) < linkOff {
			return nil, fmt.Errorf("its code signature lies outside __LINKEDIT")
		}
	} else {
		if linkOff+linkSize != uint64(len(data)) {
			return nil, fmt.Errorf("data follows __LINKEDIT; cannot place a signature after it")
		}
		end := machHeader64Size + int(l.sizeofcmds)
		if end+16 > l.firstSection {
			return nil, fmt.Errorf("no room after the load commands for LC_CODE_SIGNATURE")
		}
		l.codeSig = end
		le.PutUint32(data[end:], lcCodeSignature)
		le.PutUint32(data[end+4:], 16)
		le.PutUint32(data[16:], l.ncmds+1)
		le.PutUint32(data[20:], l.sizeofcmds+16)
		sigOff = align(len(data), 16)
	}
	data = append(data[:min(sigOff, len(data))], make([]byte, max(0, sigOff-len(data)))...)

	req := designatedRequirement(o.Identifier, o.Identity)
	special := map[int][]byte{slotRequirements: sum256(req)}
	if o.InfoPlist != nil {
		special[slotInfoPlist] = sum256(o.InfoPlist)
	}
	if o.Resources != nil {
		special[slotResources] = sum256(o.Resources)
	}
	blobs := []indexed{{slotCodeDirectory, nil}, {slotRequirements, req}}
	cd := codeDirectory{identifier: o.Identifier, team: o.Identity.TeamID(), codeLimit: uint64(sigOff),
		execSegBase: l.textOff, execSegLimit: l.textSize}
	if o.Hardened {
		cd.flags |= flagRuntime
	}
	if l.execute {
		cd.execSegFlags = execSegMainBinary | o.Entitlements.execSegFlags()
	}
	if o.Entitlements != nil {
		xmlBlob, derBlob := o.Entitlements.blobs()
		special[slotEntitlements], special[slotEntitlementsDER] = sum256(xmlBlob), sum256(derBlob)
		blobs = append(blobs, indexed{slotEntitlements, xmlBlob}, indexed{slotEntitlementsDER, derBlob})
	}
	cd.special = special

	// The size must be fixed before hashing: the header pages hold it.
	_, _, _, _, _, cdSize := cd.offsets()
	reserve := 12 + 8*(len(blobs)+1) + cdSize + 8 + cmsReserve(o.Identity, o.Timestamper != nil)
	for _, b := range blobs[1:] {
		reserve += len(b.data)
	}
	reserve = align(reserve, 16)
	le.PutUint32(data[l.codeSig+8:], uint32(sigOff))
	le.PutUint32(data[l.codeSig+12:], uint32(reserve))
	newLinkSize := uint64(sigOff+reserve) - linkOff
	le.PutUint64(data[l.linkedit+48:], newLinkSize)
	le.PutUint64(data[l.linkedit+32:], uint64(align(int(newLinkSize), int(l.pageAlign))))

	cd.code = data
	cdBytes := cd.bytes()
	at := o.Time
	if at.IsZero() {
		at = time.Now()
	}
	cms, err := cmsSignature(ctx, cdBytes, o.Identity, at, o.Timestamper)
	if err != nil {
		return nil, err
	}
	blobs[0].data = cdBytes
	blobs = append(blobs, indexed{slotSignature, blob(magicBlobWrapper, cms)})
	sig := superBlob(magicEmbeddedSig, blobs)
	if len(sig) > reserve {
		return nil, fmt.Errorf("signature of %d bytes overflows the %d reserved for it", len(sig), reserve)
	}
	out := append(data, sig...)
	return append(out, make([]byte, reserve-len(sig))...), nil
}

func sum256(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func align(n, a int) int { return (n + a - 1) / a * a }
