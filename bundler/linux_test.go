package bundler_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
)

// buildOK is build with a background context; an error fails t.
func buildOK(t *testing.T, o bundler.BuildOptions) buildtest.Built {
	t.Helper()
	b := buildtest.Build(context.Background(), t, o)
	if b.Err != nil {
		t.Fatalf("build %s: %v\n%s", o.Config, b.Err, b.Log())
	}
	return b
}

// TestLinuxDesktopApp checks the deb, rpm, apk and Arch packages of a
// desktop app (examples/webui) for amd64 and arm64 as TestAcceptance
// checks hello's, and the desktop entry, AppStream metadata and icons its
// deb installs with their own validators.
func TestLinuxDesktopApp(t *testing.T) {
	testtool.Need(t, "desktop-file-utils appstream dpkg", "desktop-file-validate", "appstreamcli", "dpkg-deb")
	t.Parallel()
	unlock := buildtest.LockTree("examples/webui")
	b := buildOK(t, bundler.BuildOptions{
		Config: filepath.Join(testfs.RepoRoot(t), "examples/webui/bundle.yaml"), Dist: t.TempDir(),
		Targets: []string{"linux/amd64", "linux/arm64"}, Formats: []string{"deb", "rpm", "apk", "archlinux"},
	})
	unlock()
	checks := map[string]func(*testing.T, string, bundler.Artifact){
		"deb": checkDeb, "rpm": checkRPM, "apk": checkAPK, "archlinux": checkArchLinux,
	}
	if n := len(b.Result.Manifest.Artifacts); n != 2*len(checks) {
		t.Errorf("%d artifacts, want %d: %v", n, 2*len(checks), b.Result.Manifest.Artifacts)
	}
	for _, a := range b.Result.Manifest.Artifacts {
		check := checks[a.Format]
		if check == nil {
			continue
		}
		t.Run(a.Path, func(t *testing.T) {
			t.Parallel() // lintian and the package tools are most of the time
			path := filepath.Join(b.Dist, a.Path)
			check(t, path, a)
			if a.Format != "deb" {
				return
			}
			root := t.TempDir()
			toolOutput(t, b.Dist, "dpkg-deb", "-x", path, root)
			desktop, _ := filepath.Glob(filepath.Join(root, "usr/share/applications/*.desktop"))
			meta, _ := filepath.Glob(filepath.Join(root, "usr/share/metainfo/*.metainfo.xml"))
			icons, _ := filepath.Glob(filepath.Join(root, "usr/share/icons/hicolor/*/apps/*.png"))
			if len(desktop) != 1 || len(meta) != 1 || len(icons) != 8 {
				t.Fatalf("desktop %v metainfo %v icons %d", desktop, meta, len(icons))
			}
			toolOutput(t, b.Dist, "desktop-file-validate", desktop[0])
			toolOutput(t, b.Dist, "appstreamcli", "validate", "--no-net", meta[0])
		})
	}
}

// TestLinuxPrereleaseSortsFirst: 1.2.0-rc.1 packages sort before 1.2.0 in
// dpkg and rpm.
func TestLinuxPrereleaseSortsFirst(t *testing.T) {
	testtool.Need(t, "dpkg rpm", "dpkg", "dpkg-deb", "rpm")
	t.Parallel()
	versions := map[string]map[string]string{} // version -> format -> package version
	for _, v := range []string{"1.2.0-rc.1", "1.2.0"} {
		b := buildOK(t, bundler.BuildOptions{
			Config: filepath.Join(testfs.CopyProject(t, "examples/hello"), "bundle.yaml"), Dist: t.TempDir(), Version: v,
			Targets: []string{"linux/amd64"}, Formats: []string{"deb", "rpm"},
		})
		versions[v] = map[string]string{}
		for _, a := range b.Result.Manifest.Artifacts {
			p := filepath.Join(b.Dist, a.Path)
			switch a.Format {
			case "deb":
				versions[v]["deb"] = strings.TrimSpace(toolOutput(t, b.Dist, "dpkg-deb", "-f", p, "Version"))
			case "rpm":
				versions[v]["rpm"] = strings.TrimSpace(toolOutput(t, b.Dist, "rpm", "-qp", "--qf", "%{VERSION}-%{RELEASE}", p))
			}
		}
	}
	pre, rel := versions["1.2.0-rc.1"], versions["1.2.0"]
	if pre["deb"] == "" || pre["rpm"] == "" || rel["deb"] == "" || rel["rpm"] == "" {
		t.Fatalf("package versions %v", versions)
	}
	if err := exec.Command("dpkg", "--compare-versions", pre["deb"], "lt", rel["deb"]).Run(); err != nil {
		t.Errorf("dpkg: %s is not before %s", pre["deb"], rel["deb"])
	}
	out := toolOutput(t, "", "rpm", "--eval", "%{lua: print(rpm.vercmp('"+pre["rpm"]+"', '"+rel["rpm"]+"'))}")
	if strings.TrimSpace(out) != "-1" {
		t.Errorf("rpm: vercmp(%s, %s) = %s, want -1", pre["rpm"], rel["rpm"], out)
	}
}

// TestLinuxMaintainerScripts: linux.scripts reach the deb and the rpm.
func TestLinuxMaintainerScripts(t *testing.T) {
	testtool.Need(t, "dpkg rpm lintian", "dpkg-deb", "rpm", "lintian")
	t.Parallel()
	dir := testfs.CopyProject(t, "examples/hello")
	if err := os.Mkdir(filepath.Join(dir, "packaging"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "packaging", "postinstall.sh"), []byte("#!/bin/sh\nset -e\necho hello installed\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "bundle.yaml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, append(data, "linux:\n  scripts:\n    postinstall: packaging/postinstall.sh\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	b := buildOK(t, bundler.BuildOptions{Config: cfg, Dist: t.TempDir(), Targets: []string{"linux/amd64"}, Formats: []string{"deb", "rpm"}})
	seen := map[string]bool{}
	for _, a := range b.Result.Manifest.Artifacts {
		p := filepath.Join(b.Dist, a.Path)
		seen[a.Format] = true
		switch a.Format {
		case "deb":
			x := t.TempDir()
			toolOutput(t, b.Dist, "dpkg-deb", "-e", p, x)
			if s, err := os.ReadFile(filepath.Join(x, "postinst")); err != nil || !strings.Contains(string(s), "hello installed") {
				t.Errorf("deb postinst: %q %v", s, err)
			}
			if out, err := exec.Command("lintian", "--fail-on", "error,warning", p).CombinedOutput(); err != nil {
				t.Errorf("lintian: %v\n%s", err, out)
			}
		case "rpm":
			if out := toolOutput(t, b.Dist, "rpm", "-qp", "--scripts", p); !strings.Contains(out, "hello installed") {
				t.Errorf("rpm scripts:\n%s", out)
			}
		}
	}
	if !seen["deb"] || !seen["rpm"] {
		t.Errorf("made %v, want a deb and an rpm", seen)
	}
}
