package bundler_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
	"github.com/bundlekit/bundle/internal/winetest"
)

// nsisProject is examples/hello making only the nsis installer for
// windows, with extra lines appended to bundle.yaml.
func nsisProject(t *testing.T, extra string) string { return testfs.HelloWith(t, "[nsis]", extra) }

// buildNSIS builds the windows/amd64 installer of the project in dir and
// returns its path.
func buildNSIS(t *testing.T, dir, version string) string {
	t.Helper()
	b := buildOK(t, bundler.BuildOptions{
		Config: filepath.Join(dir, "bundle.yaml"), Dist: t.TempDir(), Version: version,
		Targets: []string{"windows/amd64"}, Formats: []string{"nsis"},
	})
	if m := b.Result.Manifest; len(m.Artifacts) != 1 || m.Artifacts[0].Format != "nsis" {
		t.Fatalf("artifacts: %+v", m.Artifacts)
	}
	return filepath.Join(b.Dist, b.Result.Manifest.Artifacts[0].Path)
}

// treeOf lists every path under dir, "" when dir does not exist.
func treeOf(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err == nil {
			fmt.Fprintln(&b, p)
		}
		return err
	})
	if os.IsNotExist(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
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
	v1 := buildNSIS(t, nsisProject(t, "  - src: LICENSE\n    dst: docs/old/LICENSE.txt\n"), "")
	v2 := buildNSIS(t, nsisProject(t, ""), "1.1.0")
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
		t.Errorf("the upgrade left 1.0.0's docs folder behind:\n%s", treeOf(t, unixDir))
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
	if left := strings.Fields(treeOf(t, unixDir)); len(left) > 0 && (len(left) != 2 || left[0] != unixDir || left[1] != filepath.Join(unixDir, "uninstall.exe")) {
		t.Errorf("the uninstaller left files:\n%s", strings.Join(left, "\n"))
	}
	t.Logf("whole test: %v", time.Since(start).Round(100*time.Millisecond))
}
