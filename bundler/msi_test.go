package bundler_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
	"github.com/bundlekit/bundle/internal/winetest"
)

// msiProject is examples/hello making an MSI (and a zip) for Windows.
func msiProject(t *testing.T) string { return testfs.HelloWith(t, "[zip, msi]", "") }

// buildMSI builds the project's windows/amd64 MSI and returns its path.
func buildMSI(t *testing.T, dir, version string) string {
	t.Helper()
	b := buildOK(t, bundler.BuildOptions{
		Config: filepath.Join(dir, "bundle.yaml"), Dist: t.TempDir(), Version: version,
		Targets: []string{"windows/amd64"}, Formats: []string{"msi"},
	})
	for _, a := range b.Result.Manifest.Artifacts {
		if a.Format == "msi" {
			return filepath.Join(b.Dist, a.Path)
		}
	}
	t.Fatalf("no msi artifact: %v", b.Result.Manifest.Artifacts)
	return ""
}

// TestMSIUpgrade: two builds of one version have the same product and
// upgrade codes; the next version keeps the UpgradeCode with a new
// ProductCode, and under Wine it installs over examples/hello's 1.0.0
// MSI (from helloBuild) as an upgrade, then uninstalls cleanly.
func TestMSIUpgrade(t *testing.T) {
	testtool.Need(t, "wixl msitools", "wixl", "msiinfo")
	w := winetest.Require(t)
	dir := msiProject(t)
	v1 := filepath.Join(buildtest.Hello(t).Dist, "hello_1.0.0_windows_amd64.msi")
	p1 := msiProperties(t, v1)

	again := msiProperties(t, buildMSI(t, dir, ""))
	if p1["UpgradeCode"] == "" || again["UpgradeCode"] != p1["UpgradeCode"] || again["ProductCode"] != p1["ProductCode"] {
		t.Errorf("codes changed between two builds of 1.0.0: %s %s, then %s %s", p1["UpgradeCode"], p1["ProductCode"], again["UpgradeCode"], again["ProductCode"])
	}
	v2 := buildMSI(t, dir, "1.1.0")
	p2 := msiProperties(t, v2)
	if p2["ProductVersion"] != "1.1.0" || p2["UpgradeCode"] != p1["UpgradeCode"] || p2["ProductCode"] == p1["ProductCode"] {
		t.Errorf("1.1.0: ProductVersion %s, UpgradeCode %s (1.0.0: %s), ProductCode %s (1.0.0: %s)",
			p2["ProductVersion"], p2["UpgradeCode"], p1["UpgradeCode"], p2["ProductCode"], p1["ProductCode"])
	}

	msiexec := func(args ...string) {
		t.Helper()
		if out, code := w.Run(t, time.Minute, "msiexec", args...); code != 0 {
			t.Fatalf("msiexec %s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
	}
	installed := func() []string { return w.Products(t, "Hello") }
	exe := func() string {
		t.Helper()
		found, _ := filepath.Glob(filepath.Join(w.Prefix, "drive_c", "users", "*", "AppData", "Local", "Programs", "Hello", "hello.exe"))
		if len(found) != 1 {
			t.Fatalf("installed hello.exe: %q", found)
		}
		return found[0]
	}
	runHello := func(want string) {
		t.Helper()
		out, code := w.Run(t, time.Minute, exe(), "--version")
		if code != 0 || !strings.HasPrefix(out, want+" ") {
			t.Errorf("installed hello --version: exit %d, %q; want %q", code, out, want)
		}
	}

	msiexec("/i", winetest.Path(v1), "/qn")
	runHello("hello 1.0.0")
	if got := installed(); len(got) != 1 || !strings.HasPrefix(got[0], p1["ProductCode"]) {
		t.Errorf("installed products after 1.0.0: %q", got)
	}
	lnk, _ := filepath.Glob(filepath.Join(w.Prefix, "drive_c", "users", "*", "AppData", "Roaming", "Microsoft", "Windows", "Start Menu", "Programs", "Hello.lnk"))
	if len(lnk) != 1 {
		t.Errorf("Start Menu shortcut: %q", lnk)
	}

	msiexec("/i", winetest.Path(v2), "/qn")
	runHello("hello 1.1.0")
	if got := installed(); len(got) != 1 || !strings.HasPrefix(got[0], p2["ProductCode"]) {
		t.Errorf("installed products after upgrading to 1.1.0: %q, want only %s", got, p2["ProductCode"])
	}

	msiexec("/x", winetest.Path(v2), "/qn")
	if got := installed(); len(got) != 0 {
		t.Errorf("still installed after msiexec /x: %q", got)
	}
	if found, _ := filepath.Glob(filepath.Join(w.Prefix, "drive_c", "users", "*", "AppData", "Local", "Programs", "Hello")); len(found) != 0 {
		t.Errorf("install folder left behind: %q", found)
	}
	for _, l := range lnk {
		if _, err := os.Stat(l); !os.IsNotExist(err) {
			t.Errorf("shortcut left behind: %s", l)
		}
	}
}
