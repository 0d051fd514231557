package dmg

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/packager/packagertest"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/internal/testtool"
)

// stagedApp is what the build hands the format: a folder holding one
// Hello Wörld.app with an executable of random and repetitive megabytes
// (so both raw and zlib chunks occur) and an Info.plist.
func stagedApp(t *testing.T, mtime time.Time) packager.Input {
	t.Helper()
	app := filepath.Join(t.TempDir(), "app")
	exe := make([]byte, 3<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range exe[:1<<20] {
		exe[i] = byte(r.Uint32())
	}
	copy(exe[1<<20:], bytes.Repeat([]byte("__TEXT __DATA "), 1<<16))
	for name, data := range map[string][]byte{
		"Hello Wörld.app/Contents/MacOS/hello": exe,
		"Hello Wörld.app/Contents/Info.plist":  []byte("<plist version=\"1.0\"><dict/></plist>\n"),
	} {
		p := filepath.Join(app, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return packager.Input{
		Config:  config.Config{Name: "Hello Wörld", ID: "com.example.hello", Binary: "hello"},
		Dir:     t.TempDir(),
		Version: semver.MustParse("1.2.3"),
		Target:  platform.Target{OS: "darwin", Arch: "arm64"},
		AppDir:  app, Exe: "hello", Stem: "hello_1.2.3_darwin_arm64",
		MTime: mtime, WorkDir: t.TempDir(),
	}
}

func build(t *testing.T, in packager.Input) string {
	t.Helper()
	var out bytes.Buffer
	if err := packagertest.Into(context.Background(), t, Format{}, in, &out); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), in.Stem+".dmg")
	if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPackage builds a dmg of a staged .app end to end and reads it back
// with other people's tools: dmg2img must give back xorriso's HFS+ volume
// byte for byte, and 7-Zip must list the bundle and the link and find
// every checksum right.
func TestPackage(t *testing.T) {
	testtool.Need(t, "xorriso", "xorriso")
	testtool.Need(t, "dmg2img", "dmg2img")
	testtool.Need(t, "7zip", "7zz")
	mtime := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	in := stagedApp(t, mtime)
	dmg := build(t, in)

	// The volume xorriso wrote, cut out of its hybrid image.
	hybrid, err := os.ReadFile(filepath.Join(in.WorkDir, "hybrid.iso"))
	if err != nil {
		t.Fatal(err)
	}
	off, size, err := hfsPartition(bytes.NewReader(hybrid), int64(len(hybrid)))
	if err != nil {
		t.Fatal(err)
	}
	raw := filepath.Join(t.TempDir(), "volume.img")
	if out, err := exec.Command("dmg2img", "-s", dmg, raw).CombinedOutput(); err != nil {
		t.Fatalf("dmg2img: %v\n%s", err, out)
	}
	got, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, hybrid[off:off+size]) {
		t.Errorf("dmg2img gives %d bytes, not the %d-byte HFS+ volume", len(got), size)
	}
	if info, _ := os.Stat(dmg); info.Size()*2 > size {
		t.Errorf("a %d-byte image of a %d-byte volume is hardly compressed", info.Size(), size)
	}

	out, err := exec.Command("7zz", "t", dmg).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Everything is Ok") || strings.Contains(string(out), "Warning") {
		t.Errorf("7zz t: %v\n%s", err, out)
	}
	list, err := exec.Command("7zz", "l", "-slt", dmg).CombinedOutput()
	if err != nil {
		t.Fatalf("7zz l: %v\n%s", err, list)
	}
	entries := map[string]string{} // path → mode
	for _, block := range strings.Split(string(list), "\n\n") {
		var path, mode string
		for _, line := range strings.Split(block, "\n") {
			if v, ok := strings.CutPrefix(line, "Path = "); ok {
				// HFS+ keeps names decomposed (NFD): "o" and U+0308.
				path = strings.ReplaceAll(v, "o\u0308", "ö")
			}
			if v, ok := strings.CutPrefix(line, "Mode = "); ok {
				mode = v
			}
		}
		entries[path] = mode
	}
	for path, mode := range map[string]string{
		"Hello Wörld/Hello Wörld.app/Contents/MacOS/hello": "-rwx",
		"Hello Wörld/Hello Wörld.app/Contents/Info.plist":  "-rw",
		"Hello Wörld/Applications":                         "lrwx",
	} {
		if m, ok := entries[path]; !ok || !strings.HasPrefix(m, mode) {
			t.Errorf("7zz l: %s has mode %q (listed: %v), want %s…", path, m, ok, mode)
		}
	}
	if strings.Contains(string(list), "Type = Iso") || strings.Contains(string(list), "Type = APM") {
		t.Errorf("the image still holds the ISO 9660 hybrid:\n%s", list)
	}

	// The same input gives the same image; another time, another image.
	again := build(t, stagedApp(t, mtime))
	a, _ := os.ReadFile(dmg)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("two builds of the same app differ")
	}
	other, _ := os.ReadFile(build(t, stagedApp(t, mtime.Add(time.Hour))))
	if bytes.Equal(a, other) {
		t.Error("the file times did not reach the image")
	}
}

// TestNoBundle: an app folder without exactly one .app is refused.
func TestNoBundle(t *testing.T) {
	testtool.Need(t, "xorriso", "xorriso")
	in := stagedApp(t, time.Unix(0, 0))
	if err := os.Mkdir(filepath.Join(in.AppDir, "Other.app"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := packagertest.Into(context.Background(), t, Format{}, in, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "does not hold one .app bundle") {
		t.Errorf("error %v", err)
	}
}

// TestHFSPartition: what counts as xorriso's HFS+ partition.
func TestHFSPartition(t *testing.T) {
	const block = 2048
	// image makes a driver descriptor map, partition map entries of the
	// given types (each two blocks long, from block 8 on) and an HFS+
	// volume header in the Apple_HFS one claiming hfsBytes.
	image := func(hfsBytes uint32, types ...string) []byte {
		b := make([]byte, (8+2*len(types))*block)
		be := binary.BigEndian
		copy(b, "ER")
		be.PutUint16(b[2:], block)
		for i, typ := range types {
			e := b[(i+1)*block:]
			copy(e, "PM")
			be.PutUint32(e[4:], uint32(len(types)))
			be.PutUint32(e[8:], uint32(8+2*i))
			be.PutUint32(e[12:], 2)
			copy(e[48:], typ)
			if typ == "Apple_HFS" {
				vh := b[(8+2*i)*block+1024:]
				copy(vh, "H+")
				be.PutUint32(vh[40:], 512)
				be.PutUint32(vh[44:], hfsBytes/512)
			}
		}
		return b
	}
	for _, tc := range []struct {
		name string
		img  []byte
		off  int64
		want string
	}{
		{"hybrid", image(2*block, "Apple_partition_map", "ISO9660_data", "Apple_HFS"), 12 * block, ""},
		{"no map", make([]byte, 8*block), 0, "no Apple Partition Map"},
		{"no HFS", image(0, "Apple_partition_map", "ISO9660_data"), 0, "no Apple_HFS partition"},
		{"volume shorter than partition", image(block, "Apple_HFS"), 0, "holds no HFS+ volume of that size"},
		{"outside the image", image(2*block, "Apple_HFS")[:9*block], 0, "outside the"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			off, size, err := hfsPartition(bytes.NewReader(tc.img), int64(len(tc.img)))
			switch {
			case tc.want == "" && (err != nil || off != tc.off || size != 2*block):
				t.Errorf("got %d+%d, %v; want %d+%d", off, size, err, tc.off, 2*block)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
