package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
)

// helloNSIS is examples/hello making only the nsis installer for windows
// (a quick build), with extra lines appended to bundle.yaml.
func helloNSIS(t *testing.T, extra string) string { return testfs.HelloWith(t, "[nsis]", extra) }

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
	dir := testfs.CopyProject(t, "examples/hello")
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
	for _, a := range testfs.ReadManifest(t, filepath.Join(dir, "dist")).Artifacts {
		formats[a.Format] = true
	}
	if !formats["zip"] || !formats["deb"] || formats["nsis"] || formats["msi"] {
		t.Errorf("made %v", formats)
	}
}

// TestInstallersIntoDefaultDist: with no --dist the artifacts go to
// "dist", a path relative to where bundle runs, as `make demo` does; the
// installer tools, which run in folders of their own, still write there.
func TestInstallersIntoDefaultDist(t *testing.T) {
	testtool.Need(t, "nsis wixl", "makensis", "wixl")
	t.Parallel()
	dir := testfs.HelloWith(t, "[nsis, msi]", "")
	r := runBundle(t, dir, []string{epoch}, "build", "--target", "windows/amd64", "--format", "nsis,msi")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var made []string
	for _, a := range testfs.ReadManifest(t, filepath.Join(dir, "dist")).Artifacts {
		made = append(made, a.Path)
	}
	slices.Sort(made)
	if want := []string{"hello_1.0.0_windows_amd64.msi", "hello_1.0.0_windows_amd64_setup.exe"}; !slices.Equal(made, want) {
		t.Errorf("made %v, want %v", made, want)
	}
}
