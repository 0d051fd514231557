package bundler_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/bundler/internal/icons"
	"github.com/bundlekit/bundle/bundler/internal/winres"
	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
)

// TestWindowsResources: every Windows executable bundle builds carries the
// icon, the manifest and the version info, read back with winres.Read,
// bundler.Inspect and, independently, wrestool and exiftool; the build
// leaves nothing in the project.
func TestWindowsResources(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "examples/hello")
	cfg := filepath.Join(dir, "bundle.yaml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(data), "  - windows/amd64\n", "  - windows/386\n  - windows/amd64\n", 1)
	if changed == string(data) {
		t.Fatal("examples/hello/bundle.yaml has no windows/amd64 target line")
	}
	if err := os.WriteFile(cfg, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	b := buildOK(t, bundler.BuildOptions{
		Config: cfg, Dist: t.TempDir(), Targets: []string{"windows/386", "windows/amd64", "windows/arm64"}, Formats: []string{"zip"},
	})
	if n := len(b.Result.Manifest.Artifacts); n != 3 {
		t.Errorf("%d artifacts, want a zip per target: %v", n, b.Result.Manifest.Artifacts)
	}
	for _, a := range b.Result.Manifest.Artifacts {
		t.Run(a.Arch, func(t *testing.T) {
			x := t.TempDir()
			toolOutput(t, x, "unzip", "-q", filepath.Join(b.Dist, a.Path))
			exe := filepath.Join(x, stem(a.Path), "hello.exe")
			f, err := os.Open(exe)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res, err := winres.Read(f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.IconSizes, icons.ICOSizes) {
				t.Errorf("icon sizes %v, want %v", res.IconSizes, icons.ICOSizes)
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

			r, err := bundler.Inspect(context.Background(), exe)
			if err != nil || r.Executable == nil || r.Executable.Resources == nil {
				t.Fatalf("inspect: %+v %v", r, err)
			}
			x2 := r.Executable
			settings, err := x2.Resources.ManifestSettings()
			if err != nil || !slices.Contains(settings, "execution level: asInvoker") {
				t.Errorf("inspect: manifest settings %q %v", settings, err)
			}
			if x2.OS != "windows" || x2.Arch != a.Arch || x2.Resources.Version.Lookup("ProductVersion") != "1.0.0" ||
				!slices.Equal(x2.Resources.IconSizes, icons.ICOSizes) || x2.Signed == nil || *x2.Signed {
				t.Errorf("inspect: %s/%s, resources %+v, signed %v", x2.OS, x2.Arch, x2.Resources, x2.Signed)
			}

			testtool.Need(t, "icoutils libimage-exiftool-perl", "wrestool", "exiftool")
			list := toolOutput(t, x, "wrestool", "-l", exe)
			for _, typ := range []string{"--type=3 ", "--type=14 ", "--type=16 ", "--type=24 "} {
				if !strings.Contains(list, typ) {
					t.Errorf("wrestool -l lacks %s:\n%s", typ, list)
				}
			}
			exif := toolOutput(t, x, "exiftool", "-ProductVersion", "-CompanyName", exe)
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
// resources cannot get a second resource section: a usage error, and no
// artifacts.json.
func TestWindowsForeignSysoRefused(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "examples/hello")
	if err := os.WriteFile(filepath.Join(dir, "rsrc_windows_amd64.syso"), []byte("not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	dist := filepath.Join(dir, "dist")
	b := buildtest.Build(context.Background(), t, bundler.BuildOptions{Config: filepath.Join(dir, "bundle.yaml"), Dist: dist, Targets: []string{"windows/amd64"}})
	if bundler.ExitCode(b.Err) != bundler.ExitUsage || !strings.Contains(b.Err.Error(), "rsrc_windows_amd64.syso would give windows/amd64 a second resource section") {
		t.Errorf("exit %d: %v", bundler.ExitCode(b.Err), b.Err)
	}
	if _, err := os.Stat(filepath.Join(dist, bundler.ManifestName)); err == nil {
		t.Error("artifacts.json written")
	}
}
