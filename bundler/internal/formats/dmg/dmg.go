// Package dmg makes a macOS disk image of the .app bundle from Linux: a
// zlib-compressed UDIF image (what `hdiutil create -format UDZO` makes)
// of an HFS+ volume holding <Name>.app and an Applications link to drag
// it onto.
//
// xorriso writes the HFS+ volume. It can only do so inside a hybrid
// image (ISO 9660 descriptors, an Apple Partition Map, then the HFS+
// partition up to the image's end), so the HFS+ partition is cut out of
// it: it is a whole volume on its own, header and alternate header
// included, and file data lies inside it. The image then holds that one
// volume and no partition map, the layout `hdiutil create -layout NONE`
// makes ("whole disk (Apple_HFS : 0)"), which macOS attaches and mounts
// like any other; the ISO 9660 part, which macOS would not look at, is
// left out. bundler/udif writes the container.
//
// A Finder window layout (background, icon positions) needs a
// .DS_Store, which only macOS writes; the volume opens in Finder's
// default view.
package dmg

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/proc"
	"github.com/bundlekit/bundle/bundler/internal/tool"
	"github.com/bundlekit/bundle/bundler/internal/udif"
)

// Xorriso builds the image.
var Xorriso = tool.Tool{
	Name: "xorriso", Command: "xorriso", VersionArgs: []string{"-version"},
	Debian: "xorriso", Homebrew: "xorriso",
}

// Format is the dmg format.
type Format struct{}

// SignedAs says the disk image itself is signed, then notarized and stapled.
func (Format) SignedAs() string { return packager.SignDiskImage }

func (Format) Name() string                      { return "dmg" }
func (Format) Layout() packager.Layout           { return packager.MacAppBundle } // in.AppDir holds <Name>.app
func (Format) Supports(goos string) bool         { return goos == "darwin" }
func (Format) Tools() []tool.Tool                { return []tool.Tool{Xorriso} }
func (Format) FileName(in packager.Input) string { return in.Stem + ".dmg" }

// CheckConfig asks what the .app it holds asks.
func (Format) CheckConfig(p *config.Project) error { return packager.CheckMacAppBundle(p) }

// Package builds the HFS+ volume in in.WorkDir and writes its UDIF image
// to dest.
func (Format) Package(ctx context.Context, in packager.Input, dest string) error {
	path, err := tool.Find(Xorriso, "dmg")
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(in.AppDir)
	if err != nil || len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), ".app") {
		return fmt.Errorf("dmg: %s does not hold one .app bundle", in.AppDir)
	}
	bundle := entries[0].Name()
	link := filepath.Join(in.WorkDir, "Applications")
	if err := os.Symlink("/Applications", link); err != nil && !os.IsExist(err) {
		return fmt.Errorf("dmg: %w", err)
	}
	out := filepath.Join(in.WorkDir, "hybrid.iso")
	os.Remove(out)
	// Graft points put the bundle and the link at the image's root without
	// copying the bundle. SOURCE_DATE_EPOCH gives the volume its dates and
	// ids, --set_all_file_dates every file and folder its time, so two
	// builds give the same image. No Rock Ridge or Joliet: only the HFS+
	// tree is kept.
	cmd := proc.Command(ctx, path, "-as", "mkisofs",
		"-V", volumeName(in.Config.Name), "-hfsplus", "-apm-block-size", "2048", "-no-pad",
		"--set_all_file_dates", in.MTime.UTC().Format("20060102150405")+"00",
		"-graft-points", "-o", out,
		"/"+bundle+"="+filepath.Join(in.AppDir, bundle),
		"/Applications="+link)
	cmd.Env = append(cmd.Env, "SOURCE_DATE_EPOCH="+strconv.FormatInt(in.MTime.Unix(), 10))
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("dmg: xorriso: %v\n%s", err, strings.TrimSpace(log.String()))
	}
	f, err := os.Open(out)
	if err != nil {
		return fmt.Errorf("dmg: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("dmg: %w", err)
	}
	off, size, err := hfsPartition(f, info.Size())
	if err != nil {
		return fmt.Errorf("dmg: xorriso's image: %w", err)
	}
	return packager.WriteFile(ctx, dest, func(w io.Writer) error {
		return udif.Write(ctx, w, io.NewSectionReader(f, off, size), size, "whole disk (Apple_HFS : 0)")
	})
}

// hfsPartition finds the Apple_HFS entry of the image's Apple Partition
// Map (entries "PM" from block 1, the block size in the driver descriptor
// "ER" at 0) and checks that it holds a whole HFS+ volume: the signature
// "H+" at 1024 and as many allocation blocks as the partition is long.
func hfsPartition(r io.ReaderAt, size int64) (offset, length int64, err error) {
	be := binary.BigEndian
	var ddm [512]byte
	if _, err := r.ReadAt(ddm[:], 0); err != nil {
		return 0, 0, err
	}
	block := int64(be.Uint16(ddm[2:]))
	if string(ddm[:2]) != "ER" || block < 512 || block%512 != 0 {
		return 0, 0, errors.New("no Apple Partition Map")
	}
	var e [512]byte
	for i := int64(1); ; i++ {
		if _, err := r.ReadAt(e[:], i*block); err != nil || string(e[:2]) != "PM" {
			return 0, 0, errors.New("no Apple_HFS partition")
		}
		count := int64(be.Uint32(e[4:]))
		if string(bytes.TrimRight(e[48:80], "\x00")) == "Apple_HFS" {
			offset, length = int64(be.Uint32(e[8:]))*block, int64(be.Uint32(e[12:]))*block
			break
		}
		if i >= count {
			return 0, 0, errors.New("no Apple_HFS partition")
		}
	}
	var vh [512]byte
	if offset+length > size || length < 2048 {
		return 0, 0, fmt.Errorf("Apple_HFS partition %d+%d outside the %d-byte image", offset, length, size)
	}
	if _, err := r.ReadAt(vh[:], offset+1024); err != nil {
		return 0, 0, err
	}
	blocks := int64(be.Uint32(vh[40:])) * int64(be.Uint32(vh[44:]))
	if string(vh[:2]) != "H+" || blocks != length {
		return 0, 0, fmt.Errorf("Apple_HFS partition of %d bytes holds no HFS+ volume of that size (%q, %d bytes)", length, vh[:2], blocks)
	}
	return offset, length, nil
}

// volumeName is the volume's name: the app name, limited to what xorriso
// takes for a volume id (32 characters).
func volumeName(name string) string {
	r := []rune(name)
	if len(r) > 32 {
		r = r[:32]
	}
	return string(r)
}
