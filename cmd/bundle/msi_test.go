package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/internal/testtool"
	"github.com/bundlekit/bundle/internal/winetest"
)

// msiProject is a copy of examples/hello that also makes an MSI for
// Windows; the example itself is left alone.
func msiProject(t *testing.T) string {
	t.Helper()
	dir := copyProject(t, "examples/hello")
	p := filepath.Join(dir, "bundle.yaml")
	cfg, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	changed := regexp.MustCompile(`(?m)^  windows: \[.*\]$`).ReplaceAllString(string(cfg), "  windows: [zip, msi]")
	if changed == string(cfg) {
		t.Fatal("examples/hello/bundle.yaml has no `windows: [...]` formats line to change")
	}
	writeFile(t, p, changed)
	return dir
}

// buildMSI builds the project for windows/amd64 and returns the MSI's path.
func buildMSI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	dist := t.TempDir()
	r := runBundle(t, dir, []string{epoch}, append([]string{"build", "--dist", dist, "--target", "windows/amd64"}, args...)...)
	if r.code != 0 {
		t.Fatalf("bundle build: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var msi string
	for _, a := range readManifest(t, dist).Artifacts {
		if a.Format == "msi" {
			msi = filepath.Join(dist, a.Path)
		}
	}
	if msi == "" {
		t.Fatalf("no msi artifact in %s", dist)
	}
	return msi
}

// msiProperties reads an MSI's Property table.
func msiProperties(t *testing.T, msi string) map[string]string {
	t.Helper()
	props := map[string]string{}
	for _, line := range strings.Split(mustRun(t, filepath.Dir(msi), "msiinfo", "export", msi, "Property"), "\n") {
		if k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), "\t"); ok {
			props[k] = v
		}
	}
	return props
}

// TestMSI reads examples/hello's MSI (from helloBuild) and two more builds
// back with msiinfo and installs, upgrades and removes it under Wine.
func TestMSI(t *testing.T) {
	testtool.Need(t, "wixl msitools", "wixl", "msiinfo")
	w := winetest.Require(t)
	dir := msiProject(t)

	// The MSI of `make demo`, beside the other Windows formats, for the
	// configured version.
	hello, _ := helloBuild(t)
	v1 := filepath.Join(hello, "hello_1.0.0_windows_amd64.msi")
	if _, err := os.Stat(v1); err != nil {
		t.Fatalf("no MSI named for the configured version: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(v1), "hello_1.0.0_windows_amd64.zip")); err != nil {
		t.Errorf("no zip beside the msi: %v", err)
	}
	sum := mustRun(t, dir, "msiinfo", "suminfo", v1)
	for _, want := range []string{"Subject: Hello 1.0.0 installer", "Author: The bundle authors", "Template: x64;1033"} {
		if !strings.Contains(sum, want) {
			t.Errorf("msiinfo suminfo lacks %q:\n%s", want, sum)
		}
	}
	tables := mustRun(t, dir, "msiinfo", "tables", v1)
	for _, want := range []string{"Property", "Upgrade", "Shortcut", "Registry", "Icon", "RemoveFile", "LaunchCondition"} {
		if !regexp.MustCompile(`(?m)^` + want + `\r?$`).MatchString(tables) {
			t.Errorf("no %s table:\n%s", want, tables)
		}
	}
	p1 := msiProperties(t, v1)
	if p1["ProductVersion"] != "1.0.0" || p1["ProductName"] != "Hello" || p1["Manufacturer"] != "The bundle authors" ||
		p1["ARPURLINFOABOUT"] != "https://github.com/bundlekit/bundle" || p1["ARPPRODUCTICON"] == "" {
		t.Errorf("Property table: %v", p1)
	}

	// The same version again: same codes. The next version: same
	// UpgradeCode, new ProductCode.
	again := msiProperties(t, buildMSI(t, dir, "--format", "msi"))
	if again["UpgradeCode"] != p1["UpgradeCode"] || again["ProductCode"] != p1["ProductCode"] {
		t.Errorf("codes changed between two builds of 1.0.0: %s %s, then %s %s", p1["UpgradeCode"], p1["ProductCode"], again["UpgradeCode"], again["ProductCode"])
	}
	v2 := buildMSI(t, dir, "--format", "msi", "--version", "1.1.0")
	p2 := msiProperties(t, v2)
	if p2["ProductVersion"] != "1.1.0" || p2["UpgradeCode"] != p1["UpgradeCode"] || p2["ProductCode"] == p1["ProductCode"] {
		t.Errorf("1.1.0: ProductVersion %s, UpgradeCode %s (1.0.0: %s), ProductCode %s (1.0.0: %s)",
			p2["ProductVersion"], p2["UpgradeCode"], p1["UpgradeCode"], p2["ProductCode"], p1["ProductCode"])
	}

	// Under Wine: install, upgrade, remove.
	msiexec := func(args ...string) {
		t.Helper()
		if out, code := w.Run(t, time.Minute, "msiexec", args...); code != 0 {
			t.Fatalf("msiexec %s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
	}
	installed := func() []string {
		t.Helper()
		out, _ := w.Run(t, time.Minute, "uninstaller", "--list")
		var hello []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasSuffix(strings.TrimSpace(l), "|||Hello") {
				hello = append(hello, strings.TrimSpace(l))
			}
		}
		return hello
	}
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

// TestMSIBadInput: what an MSI cannot hold fails with exit 2, one line
// naming the problem and nothing in dist.
func TestMSIBadInput(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "wixl msitools", "wixl")
	dir := msiProject(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"version", []string{"--target", "windows/amd64", "--version", "256.0.0"},
			"version 256.0.0: MSI ProductVersion allows a major version of at most 255 (limits: major ≤ 255, minor ≤ 255, patch ≤ 65535)"},
		{"arm64", []string{"--target", "windows/arm64"},
			"msi: wixl cannot build arm64 MSI packages; drop msi for windows/arm64 or use nsis"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dist := filepath.Join(t.TempDir(), "dist")
			// --format msi: the zip, made first, would stay in dist.
			r := runBundle(t, dir, []string{epoch}, append([]string{"build", "--dist", dist, "--format", "msi"}, tc.args...)...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "bundle: ") || !strings.Contains(lines[0], tc.want) {
				t.Errorf("stderr %q, want one line with %q", r.stderr, tc.want)
			}
			if tree := listTree(t, dist); strings.Count(tree, "\n") > 1 {
				t.Errorf("files in dist:\n%s", tree)
			}
		})
	}
}
