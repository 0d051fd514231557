package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/icons"
	"github.com/bundlekit/bundle/internal/testtool"
	"github.com/bundlekit/bundle/internal/winetest"
)

// helloNSIS copies examples/hello and makes it build the nsis installer
// for windows (only nsis, for a quick build), with extra lines
// appended to bundle.yaml.
func helloNSIS(t *testing.T, extra string) string {
	t.Helper()
	dir := copyProject(t, "examples/hello")
	path := filepath.Join(dir, "bundle.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	windows := regexp.MustCompile(`(?m)^  windows: \[.*\]$`)
	if !windows.Match(data) {
		t.Fatalf("examples/hello/bundle.yaml has no formats.windows line to replace:\n%s", data)
	}
	data = windows.ReplaceAll(data, []byte("  windows: [nsis]"))
	data = append(data, extra...)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// buildNSIS builds the windows/amd64 installer of the project in dir and
// returns its path.
func buildNSIS(t *testing.T, dir string, args ...string) string {
	t.Helper()
	dist := filepath.Join(t.TempDir(), "dist")
	args = append([]string{"build", "--dist", dist, "--target", "windows/amd64", "--format", "nsis"}, args...)
	r := runBundle(t, dir, []string{epoch}, args...)
	if r.code != 0 {
		t.Fatalf("bundle %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	m := readManifest(t, dist)
	if len(m.Artifacts) != 1 || m.Artifacts[0].Format != "nsis" {
		t.Fatalf("artifacts: %+v", m.Artifacts)
	}
	return filepath.Join(dist, m.Artifacts[0].Path)
}

// TestNSISBuild: the installer of examples/hello is a 64-bit PE named
// after the release, carries the app's icon and its version information,
// and two builds with the same SOURCE_DATE_EPOCH (from two copies of the
// project in different folders) are byte for byte the same.
func TestNSISBuild(t *testing.T) {
	testtool.Need(t, "nsis", "makensis")
	var setups [2]string
	var wg sync.WaitGroup
	for i := range setups {
		dir, dist := helloNSIS(t, ""), filepath.Join(t.TempDir(), "dist")
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := runBundle(t, dir, []string{epoch}, "build", "--dist", dist, "--target", "windows/amd64", "--format", "nsis")
			if r.code != 0 {
				t.Errorf("build %d: exit %d\n%s%s", i, r.code, r.stdout, r.stderr)
				return
			}
			setups[i] = filepath.Join(dist, "hello_1.0.0_windows_amd64_setup.exe")
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	first, err := os.ReadFile(setups[0])
	if err != nil {
		t.Fatal(err)
	}
	second, err := os.ReadFile(setups[1])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("two builds differ: %d and %d bytes", len(first), len(second))
	}
	if got := binaryTarget(t, first); got != "windows/amd64" {
		t.Errorf("installer is %s, want a 64-bit (amd64-unicode) installer", got)
	}

	t.Run("exiftool", func(t *testing.T) {
		testtool.Need(t, "libimage-exiftool-perl", "exiftool")
		out := mustRun(t, "", "exiftool", "-s", "-FileVersionNumber", "-ProductVersionNumber", "-ProductName",
			"-CompanyName", "-FileDescription", "-FileVersion", "-ProductVersion", "-LegalCopyright", setups[0])
		got := map[string]string{}
		for _, l := range strings.Split(out, "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok {
				got[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		for k, want := range map[string]string{
			"FileVersionNumber": "1.0.0.0", "ProductVersionNumber": "1.0.0.0",
			"ProductName": "Hello", "CompanyName": "The bundle authors", "FileDescription": "Hello Setup",
			"FileVersion": "1.0.0", "ProductVersion": "1.0.0", "LegalCopyright": "© 2026 The bundle authors",
		} {
			if got[k] != want {
				t.Errorf("%s = %q, want %q", k, got[k], want)
			}
		}
	})
	t.Run("wrestool", func(t *testing.T) {
		testtool.Need(t, "icoutils", "wrestool")
		out := mustRun(t, "", "wrestool", "-l", setups[0])
		// The app's icon replaces NSIS's: one image per size bundle
		// writes into the .ico.
		if n := strings.Count(out, "--type=3 "); n != len(icons.ICOSizes) {
			t.Errorf("%d icon images, want %d (the app's icon):\n%s", n, len(icons.ICOSizes), out)
		}
		for _, want := range []string{"--type=14 ", "--type=16 --name=1 "} {
			if !strings.Contains(out, want) {
				t.Errorf("no %s resource (14: group icon, 16: version):\n%s", want, out)
			}
		}
	})
}

// TestNSISUnderWine installs 1.0.0 silently, runs the app, installs 1.1.0
// over it and uninstalls it, checking files, shortcut and the Add/Remove
// Programs entry at each step.
func TestNSISUnderWine(t *testing.T) {
	testtool.Need(t, "nsis", "makensis")
	w := winetest.Require(t)
	start := time.Now()

	// 1.0.0 ships a file in a sub-folder that 1.1.0 no longer has: the
	// upgrade must not leave it behind.
	v1 := buildNSIS(t, helloNSIS(t, "  - src: LICENSE\n    dst: docs/old/LICENSE.txt\n"))
	v2 := buildNSIS(t, helloNSIS(t, ""), "--version", "1.1.0")
	t.Logf("two builds: %v", time.Since(start).Round(100*time.Millisecond))

	out, code := w.Run(t, time.Minute, "cmd", "/c", "echo", "%USERPROFILE%")
	profile := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(strings.ToLower(profile), `c:\users\`) {
		t.Fatalf("%%USERPROFILE%% = %q (exit %d)", out, code)
	}
	user := profile[len(`c:\users\`):]
	winDir := profile + `\AppData\Local\Programs\Hello`
	unixDir := filepath.Join(w.Prefix, "drive_c", "users", user, "AppData", "Local", "Programs", "Hello")
	shortcut := filepath.Join(w.Prefix, "drive_c", "users", user, "AppData", "Roaming", "Microsoft", "Windows", "Start Menu", "Programs", "Hello.lnk")
	const uninstallKey = `HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall`
	const key = uninstallKey + `\dev.bundlekit.hello`
	t.Cleanup(func() { os.RemoveAll(unixDir) })

	install := func(setup string) {
		t.Helper()
		began := time.Now()
		if out, code := w.Run(t, time.Minute, setup, "/S"); code != 0 {
			t.Fatalf("%s /S: exit %d\n%s", filepath.Base(setup), code, out)
		}
		t.Logf("%s /S: %v", filepath.Base(setup), time.Since(began).Round(10*time.Millisecond))
	}
	runApp := func(want string) {
		t.Helper()
		out, code := w.Run(t, time.Minute, winDir+`\hello.exe`, "--version")
		if code != 0 || !strings.HasPrefix(out, want+" ") {
			t.Fatalf("installed hello --version = %q (exit %d), want %q", out, code, want)
		}
	}
	query := func() string {
		t.Helper()
		out, code := w.Run(t, time.Minute, "reg", "query", key)
		if code != 0 {
			t.Fatalf("reg query %s: exit %d\n%s", key, code, out)
		}
		return out
	}
	value := func(reg, name string) string {
		for _, l := range strings.Split(reg, "\n") {
			f := strings.Fields(l)
			if len(f) >= 3 && f[0] == name {
				_, v, _ := strings.Cut(l, f[1])
				return strings.TrimSpace(v)
			}
		}
		return ""
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }

	install(v1)
	runApp("hello 1.0.0")
	reg := query()
	for name, want := range map[string]string{
		"DisplayName":          "Hello",
		"DisplayVersion":       "1.0.0",
		"Publisher":            "The bundle authors",
		"DisplayIcon":          winDir + `\hello.exe,0`,
		"InstallLocation":      winDir,
		"UninstallString":      `"` + winDir + `\uninstall.exe"`,
		"QuietUninstallString": `"` + winDir + `\uninstall.exe" /S`,
		"URLInfoAbout":         "https://github.com/bundlekit/bundle",
		"NoModify":             "0x1",
		"NoRepair":             "0x1",
	} {
		if got := value(reg, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if size := value(reg, "EstimatedSize"); size == "" || size == "0x0" {
		t.Errorf("EstimatedSize = %q, want the size in KiB", size)
	}
	// reg query /v answers the way the brief's check runs it.
	if out, _ := w.Run(t, time.Minute, "reg", "query", key, "/v", "DisplayVersion"); !strings.Contains(out, "1.0.0") {
		t.Errorf("reg query /v DisplayVersion:\n%s", out)
	}
	for _, p := range []string{"hello.exe", "LICENSE", "uninstall.exe", "docs/old/LICENSE.txt"} {
		if !exists(filepath.Join(unixDir, p)) {
			t.Errorf("1.0.0 did not install %s", p)
		}
	}
	if !exists(shortcut) {
		t.Error("no Start Menu shortcut")
	}

	install(v2)
	runApp("hello 1.1.0")
	if got := value(query(), "DisplayVersion"); got != "1.1.0" {
		t.Errorf("after the upgrade DisplayVersion = %q, want 1.1.0", got)
	}
	all, _ := w.Run(t, time.Minute, "reg", "query", uninstallKey)
	if n := strings.Count(strings.ToLower(all), `\dev.bundlekit.hello`); n != 1 {
		t.Errorf("%d Add/Remove Programs entries for hello after the upgrade, want 1:\n%s", n, all)
	}
	if exists(filepath.Join(unixDir, "docs")) {
		t.Errorf("the upgrade left 1.0.0's docs folder behind:\n%s", listTree(t, unixDir))
	}

	// _?= runs the uninstaller in place, so wine waits for it; it cannot
	// delete itself while it runs, so uninstall.exe stays.
	began := time.Now()
	if out, code := w.Run(t, time.Minute, winDir+`\uninstall.exe`, "/S", "_?="+winDir); code != 0 {
		t.Fatalf("uninstall.exe /S: exit %d\n%s", code, out)
	}
	t.Logf("uninstall.exe /S: %v", time.Since(began).Round(10*time.Millisecond))
	if out, code := w.Run(t, time.Minute, "reg", "query", key); code == 0 {
		t.Errorf("the uninstaller left the key:\n%s", out)
	}
	if exists(shortcut) {
		t.Error("the uninstaller left the Start Menu shortcut")
	}
	if left := listTree(t, unixDir); left != "" && !onlyUninstaller(left, unixDir) {
		t.Errorf("the uninstaller left files:\n%s", left)
	}
	t.Logf("whole test: %v", time.Since(start).Round(100*time.Millisecond))
}

// onlyUninstaller reports whether the listTree output names only the
// folder and its uninstall.exe.
func onlyUninstaller(tree, dir string) bool {
	for _, l := range strings.Split(strings.TrimSpace(tree), "\n") {
		p := l[:strings.LastIndex(l, " ")]
		if p != dir && p != filepath.Join(dir, "uninstall.exe") {
			return false
		}
	}
	return true
}

// TestNSISMissingMakensis: without makensis on PATH, bundle stops before
// building anything, with exit code 3 and one line saying how to install
// NSIS.
func TestNSISMissingMakensis(t *testing.T) {
	bin := t.TempDir()
	for _, tool := range []string{"go", "git"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			if tool == "go" {
				t.Fatal(err)
			}
			continue
		}
		if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	dir := helloNSIS(t, "")
	dist := filepath.Join(t.TempDir(), "dist")
	r := runBundle(t, dir, []string{"PATH=" + bin, epoch}, "build", "--dist", dist, "--target", "windows/amd64", "--format", "nsis")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3\n%s%s", r.code, r.stdout, r.stderr)
	}
	var hints []string
	for _, l := range strings.Split(r.stdout+r.stderr, "\n") {
		if strings.Contains(l, "apt-get install nsis") {
			hints = append(hints, l)
		}
	}
	if len(hints) != 1 {
		t.Errorf("%d lines with the install hint, want 1:\n%s%s", len(hints), r.stdout, r.stderr)
	}
	if entries, err := os.ReadDir(dist); err == nil && len(entries) > 0 {
		t.Errorf("dist is not empty:\n%s", listTree(t, dist))
	}
}

// TestSkipUnavailable is what `make demo` relies on: with the Windows
// installer tools missing, --skip-unavailable makes every other artifact
// and says in one line each what to install.
func TestSkipUnavailable(t *testing.T) {
	bin := t.TempDir()
	for _, tool := range []string{"go", "git"} {
		if p, err := exec.LookPath(tool); err == nil {
			if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
				t.Fatal(err)
			}
		}
	}
	dir := copyProject(t, "examples/hello")
	r := runBundle(t, dir, []string{"PATH=" + bin, epoch}, "build", "--skip-unavailable", "--target", "windows/amd64,linux/amd64")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"skipped nsis: makensis is not installed; install it with apt-get install nsis", "skipped msi: wixl is not installed; install it with apt-get install wixl"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("no line %q:\n%s", want, r.stdout)
		}
	}
	formats := map[string]bool{}
	for _, a := range readManifest(t, filepath.Join(dir, "dist")).Artifacts {
		formats[a.Format] = true
	}
	if !formats["zip"] || !formats["deb"] || formats["nsis"] || formats["msi"] {
		t.Errorf("made %v", formats)
	}
}
