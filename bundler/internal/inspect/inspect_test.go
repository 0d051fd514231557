package inspect

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/authenticode"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/formats/msi"
	"github.com/bundlekit/bundle/bundler/internal/formats/targz"
	bundlezip "github.com/bundlekit/bundle/bundler/internal/formats/zip"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/packager/packagertest"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/internal/testcert"
	"github.com/bundlekit/bundle/internal/testexe"
	"github.com/bundlekit/bundle/internal/testtool"
)

var mtime = time.Unix(1767225600, 0).UTC()

// selfExe is this test binary: a real Go executable for the machine the
// test runs on.
func selfExe(t *testing.T) []byte {
	t.Helper()
	p, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// input stages an app the way build does: the executable, a decoy
// executable that sorts before it, a script, a licence, a nested file and
// a symlink.
func input(t *testing.T, goos, exe string, exeData []byte) packager.Input {
	t.Helper()
	dir := t.TempDir()
	app := filepath.Join(dir, "app")
	files := []struct {
		rel  string
		data []byte
		mode os.FileMode
	}{
		{exe, exeData, 0o755},
		{"aaa-helper" + filepath.Ext(exe), exeData, 0o755},
		{"run.sh", []byte("#!/bin/sh\nexec ./hello\n"), 0o755},
		{"LICENSE", []byte("MIT\n"), 0o644},
		{"docs/README.md", []byte("# Hello\n"), 0o644},
	}
	for _, f := range files {
		p := filepath.Join(app, filepath.FromSlash(f.rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.data, f.mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("docs/README.md", filepath.Join(app, "README")); err != nil {
		t.Fatal(err)
	}
	return packager.Input{
		Config: config.Config{
			Name: "Hello", ID: "dev.bundlekit.hello", Binary: "hello", Publisher: "The bundle authors",
			Description: "Says hello", Windows: config.Windows{InstallScope: "user"},
		},
		Dir: dir, Version: semver.MustParse("1.2.3"), Target: platform.Target{OS: goos, Arch: "amd64"},
		AppDir: app, Exe: exe, Stem: "hello_1.2.3_" + goos + "_amd64", MTime: mtime, WorkDir: t.TempDir(),
	}
}

// write makes an artifact with f and returns its path.
func write(t *testing.T, f packager.Format, in packager.Input) string {
	t.Helper()
	var buf bytes.Buffer
	if err := packagertest.Into(context.Background(), t, f, in, &buf); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), f.FileName(in))
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestArchives(t *testing.T) {
	windows := testexe.Windows(t)
	self := selfExe(t)
	tests := []struct {
		format            packager.Format
		goos, exe         string
		data              []byte
		exeFormat, exeArc string
	}{
		{targz.Format{}, "linux", "hello", self, "ELF", runtime.GOARCH},
		{bundlezip.Format{}, "linux", "hello", self, "ELF", runtime.GOARCH},
		{bundlezip.Format{}, "windows", "hello.exe", windows, "PE", "amd64"},
		{targz.Format{}, "windows", "hello.exe", windows, "PE", "amd64"},
	}
	for _, tc := range tests {
		t.Run(tc.format.Name()+"-"+tc.goos, func(t *testing.T) {
			if tc.exeFormat == "ELF" && runtime.GOOS != "linux" {
				t.Skip("the test binary is not an ELF file here")
			}
			in := input(t, tc.goos, tc.exe, tc.data)
			p := write(t, tc.format, in)
			r, err := Path(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			a := r.Archive
			if a == nil || r.Executable != nil || r.Package != nil || r.MacApp != nil || r.MSI != nil {
				t.Fatalf("report %+v, want an archive alone", r)
			}
			folder := in.Stem + "/"
			if a.Path != p || a.Format != tc.format.Name() || a.Folder != folder {
				t.Errorf("path %s format %s folder %s", a.Path, a.Format, a.Folder)
			}
			helper := "aaa-helper" + filepath.Ext(tc.exe)
			linkSize := int64(0)
			if tc.format.Name() == "zip" {
				linkSize = int64(len("docs/README.md")) // a zip keeps the target as the content
			}
			want := []Entry{
				{Path: folder, Type: "dir", Mode: "0755"},
				{Path: folder + "LICENSE", Type: "file", Size: 4, Mode: "0644"},
				{Path: folder + "README", Type: "symlink", Size: linkSize, Mode: "0777", Target: "docs/README.md"},
				{Path: folder + helper, Type: "file", Size: int64(len(tc.data)), Mode: "0755"},
				{Path: folder + "docs/", Type: "dir", Mode: "0755"},
				{Path: folder + "docs/README.md", Type: "file", Size: 8, Mode: "0644"},
				{Path: folder + tc.exe, Type: "file", Size: int64(len(tc.data)), Mode: "0755"},
				{Path: folder + "run.sh", Type: "file", Size: 23, Mode: "0755"},
			}
			if !slices.Equal(a.Entries, want) {
				t.Errorf("entries\n%+v\nwant\n%+v", a.Entries, want)
			}
			x := a.Executable
			if x == nil {
				t.Fatal("no executable")
			}
			if x.Path != folder+tc.exe || x.Format != tc.exeFormat || x.OS != tc.goos || x.Arch != tc.exeArc {
				t.Errorf("executable %s: %s %s/%s", x.Path, x.Format, x.OS, x.Arch)
			}
			if x.GoVersion != runtime.Version() || x.Hook.Present {
				t.Errorf("executable: go %q, hook %v", x.GoVersion, x.Hook)
			}
			if signed := x.Signed != nil && !*x.Signed; signed != (tc.goos == "windows") {
				t.Errorf("signature state %v on %s", x.Signed, tc.goos)
			}
		})
	}
}

// TestZipApp: a zip holding a .app is still read as a macOS app.
func TestZipApp(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("Hello.app/Contents/Info.plist")
	fmt.Fprint(w, `<?xml version="1.0"?><plist version="1.0"><dict><key>CFBundleName</key><string>Hello</string></dict></plist>`)
	zw.Close()
	p := filepath.Join(t.TempDir(), "Hello.zip")
	os.WriteFile(p, buf.Bytes(), 0o644)
	r, err := Path(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if r.MacApp == nil || r.Archive != nil || r.MacApp.Bundle != "Hello.app" || !slices.Equal(r.MacApp.Plist, []Field{{"CFBundleName", "Hello"}}) {
		t.Errorf("report %+v", r)
	}
}

// tarGz writes a tar.gz of the headers, each with size bytes of content
// unless noData; it ends the tar when end is true.
func tarGz(t testing.TB, headers []tar.Header, noData, end bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, h := range headers {
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if !noData {
			tw.Write(bytes.Repeat([]byte("x"), int(h.Size)))
		}
	}
	if end {
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
	} else {
		tw.Flush()
	}
	gz.Close()
	return buf.Bytes()
}

func zipOf(t testing.TB, names []string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func manyNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("d/%d", i)
	}
	return names
}

func manyHeaders(n int) []tar.Header {
	hs := make([]tar.Header, n)
	for i := range hs {
		hs[i] = tar.Header{Name: fmt.Sprintf("d/%d", i), Mode: 0o644, Typeflag: tar.TypeReg}
	}
	return hs
}

// TestHostile: archives and installers made to hurt are refused with one
// line and exit 2, or listed with their unsafe entries flagged; nothing is
// written beside them.
func TestHostile(t *testing.T) {
	evil := []tar.Header{
		{Name: "app_1.0.0_linux_amd64/", Mode: 0o755, Typeflag: tar.TypeDir},
		{Name: "app_1.0.0_linux_amd64/../evil", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg},
		{Name: "../evil2", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg},
		{Name: "/etc/evil3", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg},
		{Name: `C:\evil4`, Mode: 0o644, Size: 3, Typeflag: tar.TypeReg},
		{Name: "app_1.0.0_linux_amd64/up", Linkname: "../../etc/passwd", Mode: 0o777, Typeflag: tar.TypeSymlink},
		{Name: "app_1.0.0_linux_amd64/abs", Linkname: "/etc/passwd", Mode: 0o777, Typeflag: tar.TypeSymlink},
		{Name: "app_1.0.0_linux_amd64/hard", Linkname: "../x", Typeflag: tar.TypeLink},
		{Name: "app_1.0.0_linux_amd64/ok", Linkname: "sub/../LICENSE", Mode: 0o777, Typeflag: tar.TypeSymlink},
	}
	good := tarGz(t, evil[:1], false, true)
	badCRC := slices.Clone(good)
	badCRC[len(badCRC)-8] ^= 0xff // the gzip trailer's CRC-32

	hugeExe := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		// A declared size past what inspect reads, over a few real bytes.
		w, _ := zw.CreateRaw(&zip.FileHeader{Name: "app_1.0.0_linux_amd64/app", Method: zip.Store, UncompressedSize64: 2 << 30, CompressedSize64: 4})
		w.Write([]byte("\x7fELF"))
		zw.Close()
		return buf.Bytes()
	}
	cfb := append(slices.Clone(cfbMagic), bytes.Repeat([]byte{0xab}, 4096)...)

	tests := []struct {
		name  string
		file  string
		data  []byte
		tools []string
		want  string // in the one-line error; "" for a report
	}{
		{"traversal", "evil.tar.gz", tarGz(t, evil, false, true), nil, ""},
		{"zip traversal", "evil.zip", zipOf(t, []string{"app_1.0.0_linux_amd64/", "app_1.0.0_linux_amd64/../evil", "../evil2", "/etc/evil3", `C:\evil4`}), nil, ""},
		{"truncated gzip", "cut.tar.gz", tarGz(t, evil, false, true)[:60], nil, "cut short"},
		{"truncated tar", "cut2.tar.gz", tarGz(t, evil[:2], true, false), nil, "cut short"},
		{"gzip checksum", "crc.tar.gz", badCRC, nil, "tar.gz: gzip: invalid checksum"},
		{"not gzip", "plain.tar.gz", []byte("hello"), nil, "is neither an executable"},
		{"tar entries", "many.tar.gz", tarGz(t, manyHeaders(maxEntries+1), false, true), nil, "tar.gz: more than the 100000 entries inspect reads"},
		{"tar size", "big.tar.gz", tarGz(t, []tar.Header{{Name: "a/b", Size: maxTotalSize + 1, Typeflag: tar.TypeReg}}, true, false), nil, `"a/b": the entries add up to more than the 4 GiB inspect reads`},
		{"control characters", "ctl.tar.gz", tarGz(t, []tar.Header{{Name: "a/x\n\x1b[31mred", Size: maxTotalSize + 1, Typeflag: tar.TypeReg}}, true, false), nil, `"a/x\n\x1b[31mred": the entries add up`},
		{"tar long name", "long.tar.gz", tarGz(t, []tar.Header{{Name: strings.Repeat("a/", 3000), Typeflag: tar.TypeDir}}, true, true), nil, "longer than 4096 bytes"},
		{"zip entries", "many.zip", zipOf(t, manyNames(maxEntries+1)), nil, "zip: 100001 entries, more than the 100000"},
		{"zip long name", "long.zip", zipOf(t, []string{strings.Repeat("a", 5000)}), nil, "longer than 4096 bytes"},
		{"zip huge executable", "huge.zip", hugeExe(), nil, `"app_1.0.0_linux_amd64/app": the archive is cut short (truncated)`},
		{"zip cut", "cut.zip", zipOf(t, []string{"a/b", "a/c"})[:50], nil, "zip: not a valid zip file"},
		{"msi text", "garbage.msi", []byte("this is not an installer\n"), nil, "not a Windows Installer database (no OLE compound file header)"},
		{"msi garbage", "garbage2.msi", cfb, []string{"msiinfo"}, "msiinfo tables cannot read it as a Windows Installer database (open failed)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.tools) > 0 {
				testtool.Need(t, "msitools", tc.tools...)
			}
			dir := t.TempDir()
			p := filepath.Join(dir, "sub", tc.file)
			os.Mkdir(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := Path(context.Background(), p)
			if after, _ := os.ReadDir(dir); len(after) != 1 {
				t.Errorf("inspect wrote beside the file: %v", after)
			}
			if after, _ := os.ReadDir(filepath.Dir(p)); len(after) != 1 {
				t.Errorf("inspect wrote beside the file: %v", after)
			}
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				checkUnsafe(t, r.Archive, tc.name == "traversal")
				return
			}
			if err == nil {
				t.Fatalf("no error; report %+v", r)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "inspect: "+p) {
				t.Errorf("error %q, want one line starting with the path and holding %q", msg, tc.want)
			}
			if exitcode.Of(err) != exitcode.Usage {
				t.Errorf("exit %d, want 2", exitcode.Of(err))
			}
		})
	}
}

// checkUnsafe checks the traversal cases: the first four entries, with the
// links when links is true.
func checkUnsafe(t *testing.T, a *Archive, links bool) {
	t.Helper()
	got := map[string]string{}
	for _, e := range a.Entries {
		got[e.Path] = e.Unsafe
	}
	want := map[string]string{
		"app_1.0.0_linux_amd64/":        "",
		"app_1.0.0_linux_amd64/../evil": `path has a ".." step`,
		"../evil2":                      `path has a ".." step`,
		"/etc/evil3":                    "absolute path",
		`C:\evil4`:                      "absolute path",
	}
	if links {
		want["app_1.0.0_linux_amd64/up"] = "link points outside the folder"
		want["app_1.0.0_linux_amd64/abs"] = "link to an absolute path"
		want["app_1.0.0_linux_amd64/hard"] = "link points outside the folder"
		want["app_1.0.0_linux_amd64/ok"] = ""
	}
	if len(got) != len(want) {
		t.Errorf("%d entries, want %d: %v", len(got), len(want), got)
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: unsafe %q, want %q", p, got[p], w)
		}
	}
	if a.Folder != "" {
		t.Errorf("folder %q, but entries lie outside it", a.Folder)
	}
}

// buildMSI makes an MSI of a small app with bundle's msi format.
func buildMSI(t *testing.T, scope, arch string) (string, packager.Input) {
	t.Helper()
	in := input(t, "windows", "hello.exe", testexe.Windows(t))
	for _, extra := range []string{"aaa-helper.exe", "run.sh", "README"} {
		os.Remove(filepath.Join(in.AppDir, extra))
	}
	in.Config.Windows = config.Windows{InstallScope: scope, DesktopShortcut: scope == "machine"}
	in.Target.Arch = arch
	in.Stem = "hello_1.2.3_windows_" + arch
	return write(t, msi.Format{}, in), in
}

func TestMSI(t *testing.T) {
	testtool.Need(t, "msitools", "msiinfo", "wixl")
	upgrade := "{" + strings.ToUpper(msi.UpgradeCode("dev.bundlekit.hello", "hello").String()) + "}"
	product := "{" + strings.ToUpper(msi.ProductCode(msi.UpgradeCode("dev.bundlekit.hello", "hello"), "1.2.3").String()) + "}"
	exeSize := int64(len(testexe.Windows(t)))
	tests := []struct {
		scope, arch string
		elevation   bool
		folder      string
		shortcuts   []string
	}{
		{"user", "amd64", false, `[LocalAppDataFolder]\Programs\Hello\`, []string{`[ProgramMenuFolder]\Hello`}},
		{"machine", "amd64", true, `[ProgramFiles64Folder]\Hello\`, []string{`[ProgramMenuFolder]\Hello`, `[DesktopFolder]\Hello`}},
		{"machine", "386", true, `[ProgramFilesFolder]\Hello\`, []string{`[ProgramMenuFolder]\Hello`, `[DesktopFolder]\Hello`}},
	}
	for _, tc := range tests {
		t.Run(tc.scope+"-"+tc.arch, func(t *testing.T) {
			p, _ := buildMSI(t, tc.scope, tc.arch)
			r, err := Path(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			m := r.MSI
			if m == nil || r.Archive != nil || r.Executable != nil {
				t.Fatalf("report %+v, want an MSI alone", r)
			}
			if m.Path != p || m.ProductName != "Hello" || m.ProductVersion != "1.2.3" || m.Manufacturer != "The bundle authors" {
				t.Errorf("product %+v", m)
			}
			if m.UpgradeCode != upgrade || m.ProductCode != product {
				t.Errorf("codes: upgrade %s product %s, want %s %s", m.UpgradeCode, m.ProductCode, upgrade, product)
			}
			if len(m.PackageCode) != 38 || m.PackageCode == m.ProductCode || m.PackageCode == m.UpgradeCode {
				t.Errorf("PackageCode %q", m.PackageCode)
			}
			if m.Arch != tc.arch || m.InstallScope != tc.scope || m.ElevationRequired != tc.elevation || m.Signed {
				t.Errorf("arch %s scope %s elevation %v signed %v", m.Arch, m.InstallScope, m.ElevationRequired, m.Signed)
			}
			want := []MSIFile{
				{tc.folder + "LICENSE", 4},
				{tc.folder + `docs\README.md`, 8},
				{tc.folder + "hello.exe", exeSize},
			}
			if !slices.Equal(m.Files, want) {
				t.Errorf("files %v, want %v", m.Files, want)
			}
			if !slices.Equal(m.Shortcuts, tc.shortcuts) {
				t.Errorf("shortcuts %q, want %q", m.Shortcuts, tc.shortcuts)
			}
			if !slices.Contains(m.Summary, Field{"Subject", "Hello 1.2.3 installer"}) || !slices.Contains(m.Properties, Field{"ProductLanguage", "1033"}) {
				t.Errorf("summary %v properties %v", m.Summary, m.Properties)
			}
		})
	}
}

// TestMSISigned: the signature osslsigncode adds is seen; the rest reads
// the same.
func TestMSISigned(t *testing.T) {
	testtool.Need(t, "msitools", "msiinfo", "wixl")
	testtool.Need(t, "osslsigncode openssl", "osslsigncode", "openssl")
	p, _ := buildMSI(t, "user", "amd64")
	before, err := Path(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := testcert.Write(t.TempDir(), "secret", mtime)
	if err != nil {
		t.Fatal(err)
	}
	s := &authenticode.Signer{PFX: cert.PFX, Password: "secret", Time: &mtime}
	if err := s.Sign(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	after, err := Path(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if before.MSI.Signed || !after.MSI.Signed {
		t.Errorf("signed before %v, after %v", before.MSI.Signed, after.MSI.Signed)
	}
	after.MSI.Signed = false
	if fmt.Sprint(before.MSI) != fmt.Sprint(after.MSI) {
		t.Errorf("signing changed the report:\n%+v\n%+v", before.MSI, after.MSI)
	}
}

// TestMsiinfoMissing: without msiinfo, an MSI is refused with exit 3 and
// the package to install.
func TestMsiinfoMissing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.msi")
	os.WriteFile(p, append(slices.Clone(cfbMagic), make([]byte, 512)...), 0o644)
	t.Setenv("PATH", t.TempDir())
	_, err := Path(context.Background(), p)
	if exitcode.Of(err) != exitcode.MissingTool || !strings.Contains(err.Error(), "apt-get install msitools") {
		t.Errorf("error %v (exit %d), want exit 3 naming msitools", err, exitcode.Of(err))
	}
}

// FuzzArchive: no tar.gz or zip makes inspect panic, and every error is
// one line.
func FuzzArchive(f *testing.F) {
	f.Add(tarGz(f, []tar.Header{
		{Name: "a_1_linux_amd64/", Mode: 0o755, Typeflag: tar.TypeDir},
		{Name: "a_1_linux_amd64/a", Mode: 0o755, Size: 8, Typeflag: tar.TypeReg},
		{Name: "a_1_linux_amd64/l", Linkname: "../x", Typeflag: tar.TypeSymlink},
	}, false, true))
	f.Add(zipOf(f, []string{"a_1_windows_amd64/", "a_1_windows_amd64/a.exe", "../b"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, tarErr := readTarGz("f", bytes.NewReader(data))
		_, _, zipErr := readZip("f", bytes.NewReader(data), int64(len(data)))
		for _, err := range []error{tarErr, zipErr} {
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error of more than one line: %q", err)
			}
		}
	})
}

// TestMSIFolders: install paths follow the Directory table up to the
// standard folder, and a hostile table with a cycle ends.
func TestMSIFolders(t *testing.T) {
	rows := func(table [][3]string) []map[string]string {
		var out []map[string]string
		for _, r := range table {
			out = append(out, map[string]string{"Directory": r[0], "Directory_Parent": r[1], "DefaultDir": r[2]})
		}
		return out
	}
	bundle := msiFolders(rows([][3]string{
		{"TARGETDIR", "", "SourceDir"},
		{"ProgramFiles64Folder", "TARGETDIR", "."},
		{"INSTALLDIR", "ProgramFiles64Folder", "HELLO~1|Hello World"},
		{"docs", "INSTALLDIR", "docs:srcdocs"},
		{"same", "docs", "."},
	}))
	cycle := msiFolders(rows([][3]string{{"a", "b", "A"}, {"b", "a", "B"}}))
	selfRoot := msiFolders(rows([][3]string{{"TARGETDIR", "TARGETDIR", "SourceDir"}, {"AppDataFolder", "TARGETDIR", "."}, {"x", "AppDataFolder", "X"}}))
	tests := []struct {
		dirs msiDirs
		id   string
		want string
	}{
		{bundle, "INSTALLDIR", `[ProgramFiles64Folder]\Hello World`},
		{bundle, "docs", `[ProgramFiles64Folder]\Hello World\docs`},
		{bundle, "same", `[ProgramFiles64Folder]\Hello World\docs`},
		{bundle, "ProgramFiles64Folder", `[ProgramFiles64Folder]`},
		{bundle, "TARGETDIR", `[TARGETDIR]`},
		{bundle, "missing", `[missing]`},
		{selfRoot, "x", `[AppDataFolder]\X`},
		{cycle, "a", `[?]\` + strings.TrimSuffix(strings.Repeat(`B\A\`, 32), `\`)},
	}
	for _, tc := range tests {
		if got := tc.dirs.path(tc.id); got != tc.want {
			t.Errorf("path(%s) = %s, want %s", tc.id, got, tc.want)
		}
	}
}
