package bundler_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/msixtest"
	"github.com/bundlekit/bundle/internal/schematest"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
)

// helloDownloads is the download folder examples/hello's package_managers
// names, for version 1.0.0.
const helloDownloads = "https://github.com/bundlekit/bundle/releases/download/v1.0.0/"

// checkRefs fails t unless every file of dist the manifest text names by
// its download address is named with its true SHA-256 (read from the
// file), and the manifest names at least want files. Homebrew's #{arch}
// stands for each of arm64 and amd64, with the digests in the order of
// its arm: and intel: keys.
func checkRefs(t *testing.T, dist, manifest string, want int) {
	t.Helper()
	if err := refsError(dist, manifest, want); err != nil {
		t.Error(err)
	}
}

func refsError(dist, manifest string, want int) error {
	var names []string
	re := regexp.MustCompile(regexp.QuoteMeta(helloDownloads) + `([A-Za-z0-9._#{}-]+)`)
	for _, m := range re.FindAllStringSubmatch(manifest, -1) {
		if strings.Contains(m[1], "#{arch}") {
			names = append(names, strings.ReplaceAll(m[1], "#{arch}", "arm64"), strings.ReplaceAll(m[1], "#{arch}", "amd64"))
		} else {
			names = append(names, m[1])
		}
	}
	if len(names) < want {
		return fmt.Errorf("the manifest names %v; want at least %d files", names, want)
	}
	lower := strings.ToLower(manifest)
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			return fmt.Errorf("the manifest names %s, which dist does not hold", name)
		}
		sum := sha256.Sum256(data)
		if !strings.Contains(lower, hex.EncodeToString(sum[:])) {
			return fmt.Errorf("the manifest names %s without its sha256 %x", name, sum)
		}
	}
	return nil
}

func readArtifact(t *testing.T, b buildtest.Built, a bundler.Artifact) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(b.Dist, a.Path))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// acceptCask: ruby parses the cask, and a stand-in for Homebrew's cask DSL
// evaluates it as an arm and an Intel Mac, each getting its file.
func acceptCask(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	testtool.Need(t, "ruby", "ruby")
	text := readArtifact(t, b, a)
	toolOutput(t, b.Dist, "ruby", "-c", a.Path)
	stub := filepath.Join(testfs.RepoRoot(t), "bundler/internal/pkgmgr/homebrew/testdata/cask_dsl.rb")
	for _, cpu := range []string{"arm", "intel"} {
		cmd := exec.Command("ruby", stub, a.Path)
		cmd.Dir, cmd.Env = b.Dist, append(os.Environ(), "CPU="+cpu)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), `"version":"1.0.0"`) || !strings.Contains(string(out), helloDownloads) {
			t.Errorf("the cask as an %s Mac: %v\n%s", cpu, err, out)
		}
	}
	checkRefs(t, b.Dist, text, 1)
}

// acceptScoop: Scoop's own schema accepts the manifest.
func acceptScoop(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	sch := schematest.Compile(t, filepath.Join(testfs.RepoRoot(t), "bundler/internal/pkgmgr/scoop/testdata/schema/schema.json"))
	text := readArtifact(t, b, a)
	if err := schematest.ValidateJSON(sch, []byte(text)); err != nil {
		t.Errorf("Scoop's schema: %v", err)
	}
	checkRefs(t, b.Dist, text, 2)
}

// acceptWinget: winget's own schema of the file's kind accepts it.
func acceptWinget(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	kind, refs := "version", 0
	switch {
	case strings.HasSuffix(a.Path, ".installer.yaml"):
		kind, refs = "installer", 2
	case strings.HasSuffix(a.Path, ".locale.en-US.yaml"):
		kind = "defaultLocale"
	}
	sch := schematest.Compile(t, filepath.Join(testfs.RepoRoot(t), "bundler/internal/pkgmgr/winget/testdata/schema/manifest."+kind+".1.12.0.json"))
	text := readArtifact(t, b, a)
	if err := schematest.ValidateYAML(sch, []byte(text)); err != nil {
		t.Errorf("winget's %s schema: %v", kind, err)
	}
	checkRefs(t, b.Dist, text, refs)
}

// acceptPKGBUILD: bash parses it, and makepkg prints the .SRCINFO beside
// it (as nobody when the test runs as root: makepkg refuses root).
func acceptPKGBUILD(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	testtool.Need(t, "makepkg", "makepkg")
	text := readArtifact(t, b, a)
	toolOutput(t, b.Dist, "bash", "-n", a.Path)
	dir, err := os.MkdirTemp("", "aur-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "PKGBUILD"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("makepkg", "--printsrcinfo")
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("nobody"); err != nil {
			testtool.Missing(t, "running as root without a nobody user to run makepkg as")
		}
		testtool.Need(t, "util-linux", "runuser")
		os.Chmod(dir, 0o777)
		cmd = exec.Command("runuser", "-u", "nobody", "--", "makepkg", "--printsrcinfo")
	}
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	want, _ := os.ReadFile(filepath.Join(b.Dist, strings.TrimSuffix(a.Path, ".PKGBUILD")+".SRCINFO"))
	if err != nil || string(out) != string(want) {
		t.Errorf("makepkg --printsrcinfo: %v\n%s\nbundle's .SRCINFO:\n%s", err, out, want)
	}
	checkRefs(t, b.Dist, text, 2)
}

// acceptSRCINFO is checked with its PKGBUILD; here, its references.
func acceptSRCINFO(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	checkRefs(t, b.Dist, readArtifact(t, b, a), 2)
}

// TestManifestRefsCatchAChangedByte: the reference check fails when one
// byte of an artifact a manifest names changes.
func TestManifestRefsCatchAChangedByte(t *testing.T) {
	t.Parallel()
	b := buildtest.Hello(t)
	dist := t.TempDir()
	if err := os.CopyFS(dist, os.DirFS(b.Dist)); err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile(filepath.Join(dist, "hello.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := refsError(dist, string(manifest), 2); err != nil {
		t.Fatalf("before the change: %v", err)
	}
	zip := filepath.Join(dist, "hello_1.0.0_windows_amd64.zip")
	data, err := os.ReadFile(zip)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x01
	if err := os.WriteFile(zip, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := refsError(dist, string(manifest), 2); err == nil || !strings.Contains(err.Error(), "without its sha256") {
		t.Errorf("a changed byte in the zip passed: %v", err)
	}
}

// acceptMSIX: unzip tests the package, Microsoft's schemas
// (msix-packaging) accept its manifest and block map, the block map's
// hashes and header sizes match the entries, and the manifest names the
// app and the target's architecture.
func acceptMSIX(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	testtool.Need(t, "unzip libxml2-utils", "unzip", "xmllint")
	path := filepath.Join(b.Dist, a.Path)
	toolOutput(t, b.Dist, "unzip", "-t", a.Path)
	x := t.TempDir()
	toolOutput(t, x, "unzip", "-q", path)
	schemas := filepath.Join(testfs.RepoRoot(t), "bundler/internal/formats/msix/testdata/schema")
	toolOutput(t, x, "xmllint", "--noout", "--schema", filepath.Join(schemas, "AppxManifest.driver.xsd"), "AppxManifest.xml")
	toolOutput(t, x, "xmllint", "--noout", "--schema", filepath.Join(schemas, "BlockMapSchema.xsd"), "AppxBlockMap.xml")
	if err := msixtest.CheckBlockMap(path); err != nil {
		t.Error(err)
	}
	if err := msixtest.CheckContentTypes(path); err != nil {
		t.Error(err)
	}
	manifest, _ := os.ReadFile(filepath.Join(x, "AppxManifest.xml"))
	arch := map[string]string{"amd64": "x64", "arm64": "arm64"}[a.Arch]
	for _, want := range []string{`Name="dev.bundlekit.hello"`, `Version="1.0.0.0"`, `ProcessorArchitecture="` + arch + `"`, `Executable="hello.exe"`} {
		if !strings.Contains(string(manifest), want) {
			t.Errorf("AppxManifest.xml lacks %s", want)
		}
	}
	checkHelloVersion(t, filepath.Join(x, "hello.exe"), "windows/"+a.Arch)
}
