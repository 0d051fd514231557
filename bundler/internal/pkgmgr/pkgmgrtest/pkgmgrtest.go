// Package pkgmgrtest holds what the package managers' tests share: a
// release's artifacts and configuration, plain or hostile, and golden
// files.
package pkgmgrtest

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// Hostile is text that breaks a manifest that does not escape it: quotes
// of every kind, Ruby interpolation and shell substitution that would
// create the file marker, markup, a line break and YAML.
func Hostile(marker string) string {
	return "Say \"hi\" & 'bye' #{`touch " + marker + "`} $(touch " + marker + ") `touch " + marker + "` \\ <b>\n---\nname: evil"
}

// Config is a release's bundle.yaml with every package manager; with a
// marker, every free-text field holds Hostile(marker).
func Config(marker string) config.Config {
	c := config.Config{
		Name: "Hello Desktop", Binary: "hello", ID: "com.example.hello", Description: "Small greeter.\n\nIt says hello.",
		Publisher: "Example Corp", Maintainer: "Jane Doe <jane@example.com>", Homepage: "https://example.com/hello",
		License: "MIT", Copyright: "© 2026 Example Corp",
		PackageManagers: config.PackageManagers{
			URL:      "https://github.com/example/hello/releases/download/v{version}/",
			Homebrew: &config.Homebrew{}, Scoop: &config.Scoop{}, AUR: &config.AUR{},
			Winget: &config.Winget{PackageIdentifier: "Example.Hello"},
		},
	}
	if marker != "" {
		h := Hostile(marker)
		c.Name, c.Description, c.Publisher, c.License, c.Copyright = "Hello "+h, h, "Corp "+h, "MIT "+h, h
		c.Homepage = "https://example.com/a'b\"c#{x}$(touch%20" + marker + ")"
	}
	return c
}

// Artifact is one artifact of the release, its digest that of its name.
func Artifact(path, goos, arch, format string) artifact.Artifact {
	sum := sha256.Sum256([]byte(path))
	return artifact.Artifact{Path: path, OS: goos, Arch: arch, Format: format, Size: 1000, SHA256: hex.EncodeToString(sum[:])}
}

// Artifacts are a full release's: every format of every target.
func Artifacts() []artifact.Artifact {
	return []artifact.Artifact{
		Artifact("hello_1.2.3_darwin_universal.dmg", "darwin", "universal", "dmg"),
		Artifact("hello_1.2.3_darwin_universal.app.zip", "darwin", "universal", "app"),
		Artifact("hello_1.2.3_darwin_amd64.tar.gz", "darwin", "amd64", "tar.gz"),
		Artifact("hello_1.2.3_darwin_arm64.tar.gz", "darwin", "arm64", "tar.gz"),
		Artifact("hello_1.2.3_windows_amd64.msi", "windows", "amd64", "msi"),
		Artifact("hello_1.2.3_windows_amd64_setup.exe", "windows", "amd64", "nsis"),
		Artifact("hello_1.2.3_windows_arm64_setup.exe", "windows", "arm64", "nsis"),
		Artifact("hello_1.2.3_windows_amd64.zip", "windows", "amd64", "zip"),
		Artifact("hello_1.2.3_windows_arm64.zip", "windows", "arm64", "zip"),
		Artifact("hello_1.2.3_linux_amd64.tar.gz", "linux", "amd64", "tar.gz"),
		Artifact("hello_1.2.3_linux_arm64.tar.gz", "linux", "arm64", "tar.gz"),
		Artifact("hello_1.2.3-1_amd64.deb", "linux", "amd64", "deb"),
	}
}

// Input is the release 1.2.3 (or version) of c with artifacts.
func Input(t testing.TB, c config.Config, version string, artifacts []artifact.Artifact) pkgmgr.Input {
	t.Helper()
	v := semver.MustParse(version)
	base, err := pkgmgr.BaseURL(c, v)
	if err != nil {
		t.Fatal(err)
	}
	return pkgmgr.Input{Config: c, Version: v, Artifacts: artifacts, Base: base}
}

// Golden compares got with testdata/name, or writes it there with
// -update.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
