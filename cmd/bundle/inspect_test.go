package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"debug/pe"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/testexe"
	"github.com/bundlekit/bundle/internal/testfs"
)

// TestInspectOutput runs bundle inspect, as text and as JSON, on a
// portable zip, a hostile tar.gz and an msi that is not one. What inspect
// reads from bundle's own artifacts is tested in the library; this is the
// command's printing and exit codes.
func TestInspectOutput(t *testing.T) {
	t.Parallel()
	dist := t.TempDir()
	exe := testexe.Windows(t)

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct {
		name string
		mode os.FileMode
		data []byte
	}{
		{"hello_1.2.3_windows_amd64/", os.ModeDir | 0o755, nil},
		{"hello_1.2.3_windows_amd64/hello.exe", 0o755, exe},
		{"hello_1.2.3_windows_amd64/LICENSE", 0o644, []byte("MIT\n")},
	} {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		h.SetMode(f.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	testfs.WriteFile(t, filepath.Join(dist, "hello_1.2.3_windows_amd64.zip"), buf.String())

	r := runBundle(t, dist, nil, "inspect", "hello_1.2.3_windows_amd64.zip")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"hello_1.2.3_windows_amd64.zip (zip)",
		"  folder         hello_1.2.3_windows_amd64/",
		"  entries (3):",
		fmt.Sprintf("    -rwxr-xr-x %10d  hello_1.2.3_windows_amd64/hello.exe\n", len(exe)),
		"    -rw-r--r--          4  hello_1.2.3_windows_amd64/LICENSE\n",
		"  executable     hello_1.2.3_windows_amd64/hello.exe\n    format      PE, windows/amd64\n",
		"    signature   unsigned",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runBundle(t, dist, nil, "inspect", "--json", "hello_1.2.3_windows_amd64.zip")
	var rep bundler.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 0 {
		t.Fatalf("exit %d, JSON %v:\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if a := rep.Archive; a == nil || a.Format != "zip" || len(a.Entries) != 3 || a.Executable == nil ||
		a.Executable.Path != "hello_1.2.3_windows_amd64/hello.exe" || a.Executable.Arch != "amd64" {
		t.Errorf("JSON report:\n%s", r.stdout)
	}

	// A hostile tar.gz is listed, not unpacked: the entry that climbs out
	// is flagged and a name with escape sequences is quoted.
	buf.Reset()
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, name := range []string{"x_1_linux_amd64/", "x_1_linux_amd64/../../evil", "x_1_linux_amd64/\x1b[2Jred"} {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Typeflag: tar.TypeReg})
	}
	tw.Close()
	gz.Close()
	testfs.WriteFile(t, filepath.Join(dist, "evil.tar.gz"), buf.String())
	r = runBundle(t, dist, nil, "inspect", "evil.tar.gz")
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

	testfs.WriteFile(t, filepath.Join(dist, "broken.msi"), "not an installer")
	r = runBundle(t, dist, nil, "inspect", "broken.msi")
	if want := "bundle: inspect: broken.msi: not a Windows Installer database (no OLE compound file header)\n"; r.code != 2 || r.stderr != want || r.stdout != "" {
		t.Errorf("broken msi: exit %d, stderr %q, want exit 2 and %q", r.code, r.stderr, want)
	}
}

// TestPrintMSI: the text report of an MSI, one field a line, the files
// with their sizes.
func TestPrintMSI(t *testing.T) {
	// Read from JSON, as the report's file type is not part of bundler's API.
	var m bundler.MSI
	err := json.Unmarshal([]byte(`{"path": "hello_1.2.3_windows_amd64.msi", "product_name": "Hello", "product_version": "1.2.3",
		"manufacturer": "The bundle authors", "upgrade_code": "{3343164D-E1BB-5571-8B7F-40F687A85EE4}",
		"install_scope": "machine", "elevation_required": true,
		"files": [{"path": "[ProgramFiles64Folder]\\Hello\\LICENSE", "size": 4}, {"path": "[ProgramFiles64Folder]\\Hello\\hello.exe", "size": 1024}]}`), &m)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printMSI(printer{w: &out}, &m)
	for _, want := range []string{
		"hello_1.2.3_windows_amd64.msi (msi)\n",
		"  ProductName    Hello\n  ProductVersion 1.2.3\n  Manufacturer   The bundle authors\n",
		"  UpgradeCode    {3343164D-E1BB-5571-8B7F-40F687A85EE4}\n",
		"  install scope  machine\n",
		"  signature      unsigned\n",
		"  files (2):\n",
		"          1024  [ProgramFiles64Folder]\\Hello\\hello.exe\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, out.String())
		}
	}
}

// TestInspectResourceLoop builds a Windows executable with resources, then
// points its resource directory's entries back at the directory itself: inspect says the resources are unreadable, where it used to
// leave the version info out without a word.
func TestInspectResourceLoop(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "testdata/project")
	testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), "testdata/config/good/full.yaml"), filepath.Join(dir, "bundle.yaml"))
	config, _ := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	testfs.WriteFile(t, filepath.Join(dir, "bundle.yaml"), strings.Replace(string(config), "targets: [linux/amd64]", "targets: [windows/amd64]", 1))
	if r := runBundle(t, dir, []string{epoch}, "build", "--format", "zip"); r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	exe := testfs.ExtractAll(t, filepath.Join(dir, "dist", "fixture_1.0.0_windows_amd64.zip"), t.TempDir())
	if r := runBundle(t, dir, nil, "inspect", exe); r.code != 0 || !strings.Contains(r.stdout, "version     file 1.0.0.0") {
		t.Fatalf("before the loop, exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	f, err := pe.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rsrc := f.Section(".rsrc")
	if rsrc == nil {
		t.Fatal("no .rsrc section")
	}
	// Each entry of the root directory (a 16-byte header ending in the
	// counts of named and numbered entries, then 8 bytes an entry: name,
	// offset) now leads to a subdirectory at offset 0: the root.
	root := data[rsrc.Offset:]
	for i := range int(binary.LittleEndian.Uint16(root[12:]) + binary.LittleEndian.Uint16(root[14:])) {
		binary.LittleEndian.PutUint32(root[16+8*i+4:], 0x80000000)
	}
	looped := filepath.Join(t.TempDir(), "looped.exe")
	if err := os.WriteFile(looped, data, 0o755); err != nil {
		t.Fatal(err)
	}
	r := runBundle(t, dir, nil, "inspect", looped)
	if r.code != 0 || !strings.Contains(r.stdout, "resources   unreadable, so version info and icons are not shown: winres:") {
		t.Errorf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
}
