// Package dmg makes a macOS disk image of the .app bundle from Linux with
// xorriso: an Apple Partition Map with an HFS+ volume (beside ISO 9660 and
// Joliet) holding <Name>.app and an Applications link to drag it onto.
//
// It is an uncompressed hybrid image, not a compressed UDIF: macOS mounts
// HFS+ read-only from it, but hdiutil's compression and a Finder window
// layout need Apple's tools.
package dmg

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bundlekit/bundle/bundler/packager"
	"github.com/bundlekit/bundle/bundler/proc"
	"github.com/bundlekit/bundle/bundler/tool"
)

// Xorriso builds the image.
var Xorriso = tool.Tool{
	Name: "xorriso", Command: "xorriso", VersionArgs: []string{"-version"},
	Debian: "xorriso", Homebrew: "xorriso",
}

// Format is the dmg format.
type Format struct{}

func (Format) Name() string                      { return "dmg" }
func (Format) AppBundle() bool                   { return true } // in.AppDir holds <Name>.app
func (Format) Supports(goos string) bool         { return goos == "darwin" }
func (Format) Tools() []tool.Tool                { return []tool.Tool{Xorriso} }
func (Format) FileName(in packager.Input) string { return in.Stem + ".dmg" }

// Package builds the image in in.WorkDir and copies it to w.
func (Format) Package(ctx context.Context, in packager.Input, w io.Writer) error {
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
	out := filepath.Join(in.WorkDir, "image.dmg")
	os.Remove(out)
	// Graft points put the bundle and the link at the image's root without
	// copying the bundle. SOURCE_DATE_EPOCH gives the volume its dates and
	// ids, --set_all_file_dates every file and folder its time, so two
	// builds give the same image.
	cmd := proc.Command(ctx, path, "-as", "mkisofs",
		"-V", volumeName(in.Config.Name), "-R", "-J", "-hfsplus", "-apm-block-size", "2048", "-no-pad",
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
	_, err = io.Copy(w, f)
	return err
}

// volumeName is the image's volume label: the app name, limited to what
// ISO 9660 volume ids hold (32 characters).
func volumeName(name string) string {
	r := []rune(name)
	if len(r) > 32 {
		r = r[:32]
	}
	return string(r)
}
