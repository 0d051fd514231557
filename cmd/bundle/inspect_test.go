package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/formats/msi"
	"github.com/bundlekit/bundle/bundler/internal/formats/zip"
	"github.com/bundlekit/bundle/bundler/internal/inspect"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/internal/testexe"
	"github.com/bundlekit/bundle/internal/testtool"
)

// TestInspectZipAndMSI runs bundle inspect, as text and as JSON, on a
// portable zip and an msi made by bundle's own formats, and on an msi that
// is not one.
func TestInspectZipAndMSI(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "msitools wixl", "msiinfo", "wixl")
	dir := t.TempDir()
	app := filepath.Join(dir, "app")
	os.MkdirAll(app, 0o755)
	if err := os.WriteFile(filepath.Join(app, "hello.exe"), testexe.Windows(t), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(app, "LICENSE"), []byte("MIT\n"), 0o644)
	in := packager.Input{
		Config: config.Config{Name: "Hello", ID: "dev.bundlekit.hello", Binary: "hello", Publisher: "The bundle authors",
			Windows: config.Windows{InstallScope: "machine"}},
		Dir: dir, Version: semver.MustParse("1.2.3"), Target: platform.Target{OS: "windows", Arch: "amd64"},
		AppDir: app, Exe: "hello.exe", Stem: "hello_1.2.3_windows_amd64", MTime: time.Unix(1767225600, 0).UTC(), WorkDir: t.TempDir(),
	}
	dist := t.TempDir()
	for _, f := range []packager.Format{zip.Format{}, msi.Format{}} {
		var buf bytes.Buffer
		if err := f.Package(context.Background(), in, &buf); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dist, f.FileName(in)), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		file string
		text []string
		json func(r inspect.Report) bool
	}{
		{"hello_1.2.3_windows_amd64.zip",
			[]string{
				"hello_1.2.3_windows_amd64.zip (zip)",
				"  folder         hello_1.2.3_windows_amd64/",
				"  entries (3):",
				fmt.Sprintf("    -rwxr-xr-x %10d  hello_1.2.3_windows_amd64/hello.exe\n", len(testexe.Windows(t))),
				"    -rw-r--r--          4  hello_1.2.3_windows_amd64/LICENSE\n",
				"  executable     hello_1.2.3_windows_amd64/hello.exe\n    format      PE, windows/amd64\n",
				"    signature   unsigned",
			},
			func(r inspect.Report) bool {
				a := r.Archive
				return a != nil && a.Format == "zip" && len(a.Entries) == 3 && a.Executable != nil &&
					a.Executable.Path == "hello_1.2.3_windows_amd64/hello.exe" && a.Executable.Arch == "amd64"
			}},
		{"hello_1.2.3_windows_amd64.msi",
			[]string{
				"hello_1.2.3_windows_amd64.msi (msi)",
				"  ProductName    Hello\n  ProductVersion 1.2.3\n  Manufacturer   The bundle authors\n",
				"  UpgradeCode    {3343164D-E1BB-5571-8B7F-40F687A85EE4}",
				"  install scope  machine\n",
				"  signature      unsigned",
				"  files (2):",
				`  [ProgramFiles64Folder]\Hello\hello.exe`,
			},
			func(r inspect.Report) bool {
				m := r.MSI
				return m != nil && m.ProductVersion == "1.2.3" && m.InstallScope == "machine" && m.ElevationRequired &&
					len(m.Files) == 2 && m.UpgradeCode == "{3343164D-E1BB-5571-8B7F-40F687A85EE4}"
			}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			r := runBundle(t, dist, nil, "inspect", tc.file)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			for _, want := range tc.text {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("text lacks %q:\n%s", want, r.stdout)
				}
			}
			r = runBundle(t, dist, nil, "inspect", "--json", tc.file)
			var rep inspect.Report
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 0 {
				t.Fatalf("exit %d, JSON %v:\n%s%s", r.code, err, r.stdout, r.stderr)
			}
			if !tc.json(rep) {
				t.Errorf("JSON report:\n%s", r.stdout)
			}
		})
	}

	// A hostile tar.gz is listed, not unpacked: the entry that climbs out
	// is flagged and a name with escape sequences is quoted.
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, name := range []string{"x_1_linux_amd64/", "x_1_linux_amd64/../../evil", "x_1_linux_amd64/\x1b[2Jred"} {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Typeflag: tar.TypeReg})
	}
	tw.Close()
	gz.Close()
	os.WriteFile(filepath.Join(dist, "evil.tar.gz"), buf.Bytes(), 0o644)
	r := runBundle(t, dist, nil, "inspect", "evil.tar.gz")
	for _, want := range []string{"x_1_linux_amd64/../../evil  unsafe: path has a \"..\" step\n", `"x_1_linux_amd64/\x1b[2Jred"` + "\n", "none: the entries are not all in one top folder"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 0 || strings.Contains(r.stdout, "\x1b") {
		t.Errorf("exit %d, raw escape in %q", r.code, r.stdout)
	}
	if _, err := os.Lstat(filepath.Join(filepath.Dir(dist), "evil")); !os.IsNotExist(err) {
		t.Errorf("the ../../evil entry was written: %v", err)
	}

	os.WriteFile(filepath.Join(dist, "broken.msi"), []byte("not an installer"), 0o644)
	r = runBundle(t, dist, nil, "inspect", "broken.msi")
	if want := "bundle: inspect: broken.msi: not a Windows Installer database (no OLE compound file header)\n"; r.code != 2 || r.stderr != want || r.stdout != "" {
		t.Errorf("broken msi: exit %d, stderr %q, want exit 2 and %q", r.code, r.stderr, want)
	}
}
