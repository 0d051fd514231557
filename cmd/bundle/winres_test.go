package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/winres"
	"github.com/bundlekit/bundle/internal/testtool"
)

// TestWindowsResources: every Windows executable bundle builds carries the
// icon, the manifest and the version info, read back with debug/pe and,
// independently, with wrestool and exiftool.
func TestWindowsResources(t *testing.T) {
	t.Parallel()
	dir := copyProject(t, "examples/hello")
	cfg, _ := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	writeFile(t, filepath.Join(dir, "bundle.yaml"), strings.Replace(string(cfg), "  - windows/amd64\n", "  - windows/386\n  - windows/amd64\n", 1))
	dist := t.TempDir()
	r := runBundle(t, dir, []string{epoch}, "build", "--dist", dist, "--target", "windows/386,windows/amd64,windows/arm64", "--format", "zip")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, a := range readManifest(t, dist).Artifacts {
		t.Run(a.Arch, func(t *testing.T) {
			exe := extractAll(t, filepath.Join(dist, a.Path), filepath.Join(dist, "x-"+a.Arch))
			f, err := os.Open(exe)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res, err := winres.Read(f)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(res.IconSizes); got != 10 {
				t.Errorf("icon sizes %v, want 10", res.IconSizes)
			}
			for _, want := range []string{`level="asInvoker"`, "PerMonitorV2", "longPathAware", "UTF-8"} {
				if !strings.Contains(res.Manifest, want) {
					t.Errorf("manifest lacks %s:\n%s", want, res.Manifest)
				}
			}
			if res.Version == nil || res.Version.Lookup("ProductVersion") != "1.0.0" || res.Version.Lookup("CompanyName") != "The bundle authors" ||
				res.Version.Lookup("OriginalFilename") != "hello.exe" || res.Version.FileVersion != [4]uint16{1, 0, 0, 0} {
				t.Errorf("version info: %+v", res.Version)
			}
			in := runBundle(t, dist, nil, "inspect", exe)
			for _, want := range []string{"ProductVersion   1.0.0", "icons       [16 20 24 32 40 48 64 96 128 256]", "execution level: asInvoker", "signature   unsigned"} {
				if !strings.Contains(in.stdout, want) {
					t.Errorf("bundle inspect lacks %q:\n%s", want, in.stdout)
				}
			}
			testtool.Need(t, "icoutils libimage-exiftool-perl", "wrestool", "exiftool")
			list := mustRun(t, dist, "wrestool", "-l", exe)
			for _, typ := range []string{"--type=3 ", "--type=14 ", "--type=16 ", "--type=24 "} {
				if !strings.Contains(list, typ) {
					t.Errorf("wrestool -l lacks %s:\n%s", typ, list)
				}
			}
			exif := mustRun(t, dist, "exiftool", "-ProductVersion", "-CompanyName", exe)
			if !strings.Contains(exif, "1.0.0") || !strings.Contains(exif, "The bundle authors") {
				t.Errorf("exiftool:\n%s", exif)
			}
		})
	}
	if out, _ := exec.Command("git", "-C", dir, "status", "--porcelain").Output(); len(out) != 0 {
		t.Errorf("files left in the project: %s", out)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "*.syso")); len(leftovers) != 0 {
		t.Errorf(".syso left in the project: %v", leftovers)
	}
}

// TestWindowsForeignSysoRefused: a main package that links its own
// resources cannot get a second resource section.
func TestWindowsForeignSysoRefused(t *testing.T) {
	t.Parallel()
	dir := copyProject(t, "examples/hello")
	writeFile(t, filepath.Join(dir, "rsrc_windows_amd64.syso"), "not really")
	r := runBundle(t, dir, []string{epoch}, "build", "--target", "windows/amd64")
	if r.code != 2 || !strings.Contains(r.stderr, "rsrc_windows_amd64.syso would give windows/amd64 a second resource section") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "dist", "artifacts.json")); err == nil {
		t.Error("artifacts.json written")
	}
}
