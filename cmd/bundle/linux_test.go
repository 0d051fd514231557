package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/testtool"
)

func mustRun(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestLinuxPackagesValidate checks the deb, rpm, apk and Arch packages of
// a CLI app (hello, from the shared build) and a desktop app (webui) for
// amd64 and arm64 with each distribution's own tools.
func TestLinuxPackagesValidate(t *testing.T) {
	testtool.Need(t, "lintian rpm desktop-file-utils appstream pacman-package-manager dpkg",
		"dpkg-deb", "dpkg", "lintian", "rpm", "desktop-file-validate", "appstreamcli", "pacman")
	t.Parallel()
	hello, _ := helloBuild(t)
	webui := t.TempDir()
	unlock := lockTree("examples/webui")
	r := runBundle(t, filepath.Join(repoRoot(t), "examples/webui"), []string{epoch}, "build", "--dist", webui, "--target", "linux/amd64,linux/arm64")
	unlock()
	if r.code != 0 {
		t.Fatalf("examples/webui: exit %d\n%s", r.code, r.stderr)
	}
	for _, project := range []struct{ name, dist string }{{"hello", hello}, {"webui", webui}} {
		for _, a := range readManifest(t, project.dist).Artifacts {
			if a.OS != "linux" {
				continue
			}
			t.Run(project.name+" "+a.Path, func(t *testing.T) {
				t.Parallel() // lintian and the package tools are most of the time
				checkLinuxPackage(t, project.dist, a, project.name == "webui")
			})
		}
	}
}

func checkLinuxPackage(t *testing.T, dist string, a bundler.Artifact, gui bool) {
	path := filepath.Join(dist, a.Path)
	if a.Format != "tar.gz" && a.Format != "sbom" {
		checkInspectPackage(t, path, a.Format)
	}
	switch a.Format {
	case "deb":
		info := mustRun(t, dist, "dpkg-deb", "-I", path)
		list := mustRun(t, dist, "dpkg-deb", "-c", path)
		for _, want := range []string{"Version: 1.0.0-1", "Maintainer: The bundle authors"} {
			if !strings.Contains(info, want) {
				t.Errorf("dpkg-deb -I lacks %q:\n%s", want, info)
			}
		}
		if !strings.Contains(list, "./usr/bin/") || !strings.Contains(list, "./usr/share/doc/") {
			t.Errorf("dpkg-deb -c:\n%s", list)
		}
		cmd := exec.Command("lintian", "--fail-on", "error,warning", path)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("lintian: %v\n%s", err, out)
		}
		root := t.TempDir()
		mustRun(t, dist, "dpkg-deb", "-x", path, root)
		if gui {
			desktop, _ := filepath.Glob(filepath.Join(root, "usr/share/applications/*.desktop"))
			meta, _ := filepath.Glob(filepath.Join(root, "usr/share/metainfo/*.metainfo.xml"))
			icons, _ := filepath.Glob(filepath.Join(root, "usr/share/icons/hicolor/*/apps/*.png"))
			if len(desktop) != 1 || len(meta) != 1 || len(icons) != 8 {
				t.Fatalf("desktop %v metainfo %v icons %d", desktop, meta, len(icons))
			}
			mustRun(t, dist, "desktop-file-validate", desktop[0])
			mustRun(t, dist, "appstreamcli", "validate", "--no-net", meta[0])
		}
		if a.Arch == "amd64" {
			installDeb(t, path)
		}
	case "rpm":
		info := mustRun(t, dist, "rpm", "-qip", path)
		list := mustRun(t, dist, "rpm", "-qlp", path)
		if !strings.Contains(info, "Version     : 1.0.0") || !strings.Contains(list, "/usr/bin/") {
			t.Errorf("rpm -qip/-qlp:\n%s\n%s", info, list)
		}
		if a.Arch == "amd64" {
			installRPM(t, path)
		}
	case "archlinux":
		info := mustRun(t, dist, "pacman", "-Qip", path)
		if !strings.Contains(info, "Version         : 1.0.0-1") {
			t.Errorf("pacman -Qip:\n%s", info)
		}
	case "apk":
		list := mustRun(t, dist, "tar", "-tzf", path)
		if !strings.Contains(list, ".PKGINFO") || !strings.Contains(list, "usr/bin/") {
			t.Errorf("apk contents:\n%s", list)
		}
	}
}

// checkInspectPackage: bundle inspect reads the package's name, version and
// files.
func checkInspectPackage(t *testing.T, path, format string) {
	t.Helper()
	r := runBundle(t, filepath.Dir(path), nil, "inspect", "--json", path)
	var rep struct {
		Package *struct {
			Format string
			Fields []struct{ Key, Value string }
			Files  []string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Package == nil {
		t.Fatalf("inspect: %v\n%s%s", err, r.stdout, r.stderr)
	}
	fields := map[string]string{}
	for _, f := range rep.Package.Fields {
		fields[strings.ToLower(f.Key)] = f.Value
	}
	name := fields["package"] + fields["name"] + fields["pkgname"]
	ver := fields["version"] + fields["pkgver"]
	if rep.Package.Format != format || name == "" || !strings.HasPrefix(ver, "1.0.0") {
		t.Errorf("inspect %s: format %s, fields %v", path, rep.Package.Format, fields)
	}
	found := false
	for _, f := range rep.Package.Files {
		found = found || strings.HasPrefix(f, "/usr/bin/")
	}
	if !found {
		t.Errorf("inspect %s: no /usr/bin file in %v", path, rep.Package.Files)
	}
}

// installDeb installs a package into a throw-away root, never the
// machine's own, and runs the installed program.
func installDeb(t *testing.T, deb string) {
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644)
	mustRun(t, root, "dpkg", "--root="+root, "--force-script-chrootless", "--force-not-root", "--force-depends", "-i", deb)
	runInstalled(t, root)
}

func installRPM(t *testing.T, rpm string) {
	root := t.TempDir()
	mustRun(t, root, "rpm", "--root", root, "--initdb")
	mustRun(t, root, "rpm", "--root", root, "-i", "--nodeps", "--noscripts", rpm)
	runInstalled(t, root)
}

// runInstalled runs the one program in root's /usr/bin, following a link
// to /opt inside root.
func runInstalled(t *testing.T, root string) {
	t.Helper()
	bins, _ := filepath.Glob(filepath.Join(root, "usr/bin/*"))
	if len(bins) != 1 {
		t.Fatalf("installed /usr/bin: %v", bins)
	}
	exe := bins[0]
	if target, err := os.Readlink(exe); err == nil {
		exe = filepath.Join(root, target)
	}
	out, err := exec.Command(exe, "--version").CombinedOutput()
	if strings.HasSuffix(exe, "hello") && (err != nil || !strings.HasPrefix(string(out), "hello 1.0.0")) {
		t.Errorf("installed hello --version: %q %v", out, err)
	}
	if _, err := os.Stat(exe); err != nil {
		t.Errorf("installed program: %v", err)
	}
}

// TestLinuxPrereleaseSortsFirst: 1.2.0-rc.1 packages sort before 1.2.0 in
// dpkg and rpm.
func TestLinuxPrereleaseSortsFirst(t *testing.T) {
	testtool.Need(t, "dpkg rpm", "dpkg", "dpkg-deb", "rpm")
	versions := map[string]map[string]string{} // version -> format -> package version
	for _, v := range []string{"1.2.0-rc.1", "1.2.0"} {
		dist := t.TempDir()
		r := runBundle(t, filepath.Join(repoRoot(t), "examples/hello"), []string{epoch}, "build", "--dist", dist, "--version", v, "--target", "linux/amd64", "--format", "deb,rpm")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		versions[v] = map[string]string{}
		for _, a := range readManifest(t, dist).Artifacts {
			p := filepath.Join(dist, a.Path)
			switch a.Format {
			case "deb":
				versions[v]["deb"] = strings.TrimSpace(mustRun(t, dist, "dpkg-deb", "-f", p, "Version"))
			case "rpm":
				versions[v]["rpm"] = strings.TrimSpace(mustRun(t, dist, "rpm", "-qp", "--qf", "%{VERSION}-%{RELEASE}", p))
			}
		}
	}
	pre, rel := versions["1.2.0-rc.1"], versions["1.2.0"]
	if err := exec.Command("dpkg", "--compare-versions", pre["deb"], "lt", rel["deb"]).Run(); err != nil {
		t.Errorf("dpkg: %s is not before %s", pre["deb"], rel["deb"])
	}
	out := mustRun(t, "", "rpm", "--eval", "%{lua: print(rpm.vercmp('"+pre["rpm"]+"', '"+rel["rpm"]+"'))}")
	if strings.TrimSpace(out) != "-1" {
		t.Errorf("rpm: vercmp(%s, %s) = %s, want -1", pre["rpm"], rel["rpm"], out)
	}
}

// TestLinuxMaintainerScripts: linux.scripts reach the deb and the rpm.
func TestLinuxMaintainerScripts(t *testing.T) {
	testtool.Need(t, "dpkg rpm lintian", "dpkg-deb", "rpm", "lintian")
	dir := copyProject(t, "examples/hello")
	writeFile(t, filepath.Join(dir, "packaging", "postinstall.sh"), "#!/bin/sh\nset -e\necho hello installed\n")
	cfg, _ := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	writeFile(t, filepath.Join(dir, "bundle.yaml"), string(cfg)+"linux:\n  scripts:\n    postinstall: packaging/postinstall.sh\n")
	dist := t.TempDir()
	if r := runBundle(t, dir, []string{epoch}, "build", "--dist", dist, "--target", "linux/amd64", "--format", "deb,rpm"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, a := range readManifest(t, dist).Artifacts {
		p := filepath.Join(dist, a.Path)
		switch a.Format {
		case "deb":
			x := t.TempDir()
			mustRun(t, dist, "dpkg-deb", "-e", p, x)
			if b, err := os.ReadFile(filepath.Join(x, "postinst")); err != nil || !strings.Contains(string(b), "hello installed") {
				t.Errorf("deb postinst: %q %v", b, err)
			}
			if out, err := exec.Command("lintian", "--fail-on", "error,warning", p).CombinedOutput(); err != nil {
				t.Errorf("lintian: %v\n%s", err, out)
			}
		case "rpm":
			if out := mustRun(t, dist, "rpm", "-qp", "--scripts", p); !strings.Contains(out, "hello installed") {
				t.Errorf("rpm scripts:\n%s", out)
			}
		}
	}
}
