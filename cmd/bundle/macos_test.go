package main

import (
	"archive/zip"
	"bytes"
	"debug/macho"
	"encoding/binary"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	bundlemacho "github.com/bundlekit/bundle/bundler/internal/macho"
	"github.com/bundlekit/bundle/internal/testtool"
)

// darwinBuild builds examples/webui's darwin targets into a fresh dist,
// universal (every format) or thin (the app alone).
func darwinBuild(t *testing.T, universal bool) (dist string) {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "examples/webui")
	args := []string{"build", "--target", "darwin/amd64,darwin/arm64"}
	defer lockTree("examples/webui")()
	if !universal {
		args = append(args, "--format", "app")
		// A thin build of the same source, from a copy of the config.
		// It is removed before the folder is unlocked.
		cfg, _ := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
		thin := filepath.Join(dir, ".bundle-test-thin.yaml")
		defer os.Remove(thin)
		writeFile(t, thin, strings.Replace(string(cfg), "macos:\n", "macos:\n  universal: false\n", 1))
		args = append(args, "--config", thin)
	}
	dist = t.TempDir()
	r := runBundle(t, dir, []string{epoch}, append(args, "--dist", dist)...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	return dist
}

func TestMacOSUniversalApp(t *testing.T) {
	t.Parallel()
	universal := darwinBuild(t, true)
	m := readManifest(t, universal)
	formats := map[string]string{}
	for _, a := range m.Artifacts {
		if a.OS != "darwin" || a.Arch != "universal" {
			t.Errorf("artifact %s is %s/%s, want darwin/universal", a.Path, a.OS, a.Arch)
		}
		formats[a.Format] = filepath.Join(universal, a.Path)
	}
	for _, f := range []string{"app", "dmg", "tar.gz"} {
		if formats[f] == "" {
			t.Fatalf("no %s artifact: %v", f, m.Artifacts)
		}
	}
	// The dmg is compressed: at most 1.1× the app zip of the same bundle.
	sizes := map[string]int64{}
	for _, a := range m.Artifacts {
		sizes[a.Format] = a.Size
	}
	if ratio := float64(sizes["dmg"]) / float64(sizes["app"]); ratio > 1.1 {
		t.Errorf("dmg is %d bytes, %.3f× the app zip's %d", sizes["dmg"], ratio, sizes["app"])
	}

	// The tar.gz holds the bare universal binary, as CLI users and
	// Homebrew expect; the .app is in the app and dmg formats.
	x := t.TempDir()
	exe := extractAll(t, formats["tar.gz"], x)
	if rel, _ := filepath.Rel(x, exe); filepath.ToSlash(rel) != strings.TrimSuffix(filepath.Base(formats["tar.gz"]), ".tar.gz")+"/webui" {
		t.Errorf("the tar.gz's executable is %s, want the bare binary at the top of its folder", rel)
	}
	if apps, _ := filepath.Glob(filepath.Join(x, "*", "*.app")); len(apps) > 0 {
		t.Errorf("the tar.gz holds an app bundle: %v", apps)
	}
	if fat, err := macho.OpenFat(exe); err != nil {
		t.Errorf("the tar.gz's executable is not a universal binary: %v", err)
	} else {
		fat.Close()
	}

	// Unzip with the system's unzip: the executable keeps mode 0755.
	testtool.Need(t, "unzip", "unzip")
	x = t.TempDir()
	mustRun(t, x, "unzip", "-q", formats["app"])
	app := filepath.Join(x, "Web UI.app")
	exe = filepath.Join(app, "Contents", "MacOS", "webui")
	info, err := os.Stat(exe)
	if err != nil || info.Mode().Perm() != 0o755 {
		t.Fatalf("executable after unzip: %v %v", info.Mode(), err)
	}

	// The universal binary: both slices, each identical to the thin build,
	// the arm64 slice's ad-hoc signature still valid.
	fat, err := macho.OpenFat(exe)
	if err != nil {
		t.Fatal(err)
	}
	var cpus []macho.Cpu
	for _, a := range fat.Arches {
		cpus = append(cpus, a.Cpu)
	}
	fat.Close()
	if !slices.Equal(cpus, []macho.Cpu{macho.CpuAmd64, macho.CpuArm64}) {
		t.Errorf("fat arches %v", cpus)
	}
	data, _ := os.ReadFile(exe)
	parts, err := bundlemacho.Slices(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	thin := darwinBuild(t, false)
	for _, part := range parts {
		var tgz string
		for _, a := range readManifest(t, thin).Artifacts {
			if a.Arch == part.CPU && a.Format == "app" {
				tgz = filepath.Join(thin, a.Path)
			}
		}
		want := zipFile(t, tgz, "Web UI.app/Contents/MacOS/webui")
		if !bytes.Equal(part.Data, want) {
			t.Errorf("%s slice differs from the thin build", part.CPU)
		}
		if part.CPU == "arm64" {
			// The linker's ad-hoc signature, checked by the independent
			// verifier: every page hash still matches.
			testtool.Need(t, "python3", "python3")
			slice := filepath.Join(t.TempDir(), "arm64")
			writeFile(t, slice, string(part.Data))
			verifier := filepath.Join(repoRoot(t), "bundler", "macsign", "testdata", "verify_codesign.py")
			if out, err := exec.Command("python3", verifier, slice).CombinedOutput(); err != nil || !strings.Contains(string(out), `"adhoc": true`) {
				t.Errorf("arm64 slice signature: %v\n%s", err, out)
			}
		}
	}
	lipo := ""
	for _, name := range []string{"llvm-lipo", "llvm-lipo-14", "llvm-lipo-15", "llvm-lipo-16"} {
		if p, err := exec.LookPath(name); err == nil {
			lipo = p
		}
	}
	if lipo == "" {
		testtool.Need(t, "llvm", "llvm-lipo")
	}
	if out := mustRun(t, x, lipo, "-info", exe); !strings.Contains(out, "x86_64 arm64") {
		t.Errorf("llvm-lipo -info: %s", out)
	}

	// Info.plist holds every key with the right value.
	plist, _ := os.ReadFile(filepath.Join(app, "Contents", "Info.plist"))
	r := runBundle(t, x, nil, "inspect", "--json", formats["app"])
	var rep struct {
		MacApp struct {
			Plist  []struct{ Key, Value string } `json:"info_plist"`
			Arches []string                      `json:"architectures"`
		} `json:"mac_app"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("inspect: %v\n%s", err, r.stderr)
	}
	got := map[string]string{}
	for _, f := range rep.MacApp.Plist {
		got[f.Key] = f.Value
	}
	want := map[string]string{
		"CFBundleIdentifier": "dev.bundlekit.webui", "CFBundleName": "Web UI", "CFBundleDisplayName": "Web UI",
		"CFBundleExecutable": "webui", "CFBundleIconFile": "webui.icns", "CFBundlePackageType": "APPL",
		"CFBundleShortVersionString": "1.0.0", "CFBundleVersion": "1.0.0", "LSMinimumSystemVersion": "12.0",
		"NSHighResolutionCapable": "true", "LSApplicationCategoryType": "public.app-category.developer-tools",
		"NSHumanReadableCopyright": "© 2026 The bundle authors",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("Info.plist %s = %q, want %q", k, got[k], v)
		}
	}
	if !slices.Equal(rep.MacApp.Arches, []string{"amd64", "arm64"}) {
		t.Errorf("inspect architectures %v", rep.MacApp.Arches)
	}
	if py, err := exec.LookPath("python3"); err == nil {
		out, err := exec.Command(py, "-c", "import plistlib,sys; d=plistlib.load(open(sys.argv[1],'rb')); print(d['CFBundleIdentifier'], d['NSHighResolutionCapable'])", filepath.Join(app, "Contents", "Info.plist")).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "dev.bundlekit.webui True" {
			t.Errorf("plistlib: %s %v\n%s", out, err, plist)
		}
	}

	// The ICNS parses back into its PNG elements.
	checkICNS(t, filepath.Join(app, "Contents", "Resources", "webui.icns"))

	// The disk image lists the bundle, its Info.plist and the Applications link.
	testtool.Need(t, "7zip", "7zz")
	list := mustRun(t, x, "7zz", "l", formats["dmg"])
	for _, want := range []string{"Web UI.app/Contents/MacOS/webui", "Web UI.app/Contents/Info.plist", "Applications"} {
		if !strings.Contains(list, want) {
			t.Errorf("7zz l lacks %s:\n%s", want, list)
		}
	}
	if r := runBundle(t, x, nil, "inspect", formats["dmg"]); !strings.Contains(r.stdout, "amd64, arm64") {
		t.Errorf("inspect dmg:\n%s%s", r.stdout, r.stderr)
	}

	// Two builds of the same commit give identical zip, tar.gz and dmg.
	again := darwinBuild(t, true)
	a, _ := os.ReadFile(filepath.Join(universal, "checksums.txt"))
	b, _ := os.ReadFile(filepath.Join(again, "checksums.txt"))
	if !bytes.Equal(a, b) {
		t.Errorf("darwin artifacts differ between two builds:\n%s\n%s", a, b)
	}
}

func zipFile(t *testing.T, archive, name string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b bytes.Buffer
	b.ReadFrom(f)
	return b.Bytes()
}

// checkICNS reads an .icns back: the header length is the file's, and each
// element is a PNG of its type's size.
func checkICNS(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data[:4]) != "icns" || int(binary.BigEndian.Uint32(data[4:])) != len(data) {
		t.Fatalf("icns header")
	}
	sizes := map[string]int{"icp4": 16, "icp5": 32, "icp6": 64, "ic07": 128, "ic08": 256, "ic09": 512, "ic10": 1024, "ic11": 32, "ic12": 64, "ic13": 256, "ic14": 512}
	seen := 0
	for off := 8; off < len(data); {
		typ, n := string(data[off:off+4]), int(binary.BigEndian.Uint32(data[off+4:]))
		img, err := png.DecodeConfig(bytes.NewReader(data[off+8 : off+n]))
		if err != nil || img.Width != sizes[typ] || img.Height != sizes[typ] {
			t.Errorf("icns %s: %dx%d %v", typ, img.Width, img.Height, err)
		}
		seen++
		off += n
	}
	if seen != len(sizes) {
		t.Errorf("icns has %d elements, want %d", seen, len(sizes))
	}
}
