package bundler_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"debug/macho"
	"debug/pe"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/bundler/internal/icons"
	bundlemacho "github.com/bundlekit/bundle/bundler/internal/macho"
	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
)

// acceptRow is one artifact of an acceptance build and the check its
// format's own tools make of it.
type acceptRow struct {
	build  string // "hello" (helloBuild) or "universal" (universalBuild)
	path   string // the file's name in dist, as the naming contract says
	format string // "" for checksums.txt and artifacts.json
	target string // GOOS/GOARCH of the artifact
	check  func(t *testing.T, b buildtest.Built, a bundler.Artifact)
}

// TestAcceptance checks every file of two builds, each with the tool a
// user's system validates it with: `make demo` (every target and format of
// examples/hello) and the same app for macOS as one universal tar.gz, zip,
// .app and dmg. The table is the whole of both dists: an artifact without
// a row, or a row without its artifact, fails.
func TestAcceptance(t *testing.T) {
	t.Parallel()
	builds := map[string]buildtest.Built{"hello": buildtest.Hello(t), "universal": universalBuild(t), "msix": msixBuild(t)}
	rows := []acceptRow{
		{"hello", "hello_1.0.0_linux_amd64.tar.gz", "tar.gz", "linux/amd64", acceptTarGz},
		{"hello", "hello_1.0.0_linux_arm64.tar.gz", "tar.gz", "linux/arm64", acceptTarGz},
		{"hello", "hello_1.0.0_darwin_amd64.tar.gz", "tar.gz", "darwin/amd64", acceptTarGz},
		{"hello", "hello_1.0.0_darwin_arm64.tar.gz", "tar.gz", "darwin/arm64", acceptTarGz},
		{"hello", "hello_1.0.0_windows_amd64.zip", "zip", "windows/amd64", acceptZip},
		{"hello", "hello_1.0.0_windows_arm64.zip", "zip", "windows/arm64", acceptZip},
		{"hello", "hello_1.0.0-1_amd64.deb", "deb", "linux/amd64", acceptDeb},
		{"hello", "hello_1.0.0-1_arm64.deb", "deb", "linux/arm64", acceptDeb},
		{"hello", "hello-1.0.0-1.x86_64.rpm", "rpm", "linux/amd64", acceptRPM},
		{"hello", "hello-1.0.0-1.aarch64.rpm", "rpm", "linux/arm64", acceptRPM},
		{"hello", "hello_1.0.0-r0_x86_64.apk", "apk", "linux/amd64", acceptAPK},
		{"hello", "hello_1.0.0-r0_aarch64.apk", "apk", "linux/arm64", acceptAPK},
		{"hello", "hello-1.0.0-1-x86_64.pkg.tar.zst", "archlinux", "linux/amd64", acceptArchLinux},
		{"hello", "hello-1.0.0-1-aarch64.pkg.tar.zst", "archlinux", "linux/arm64", acceptArchLinux},
		{"hello", "hello_1.0.0_windows_amd64_setup.exe", "nsis", "windows/amd64", acceptNSIS},
		{"hello", "hello_1.0.0_windows_arm64_setup.exe", "nsis", "windows/arm64", acceptNSIS},
		// wixl builds no arm64 MSI: the build skips it with a warning.
		{"hello", "hello_1.0.0_windows_amd64.msi", "msi", "windows/amd64", acceptMSI},
		{"hello", "hello_1.0.0_linux_amd64.cdx.json", "sbom", "linux/amd64", acceptSBOM},
		{"hello", "hello_1.0.0_linux_arm64.cdx.json", "sbom", "linux/arm64", acceptSBOM},
		{"hello", "hello_1.0.0_windows_amd64.cdx.json", "sbom", "windows/amd64", acceptSBOM},
		{"hello", "hello_1.0.0_windows_arm64.cdx.json", "sbom", "windows/arm64", acceptSBOM},
		{"hello", "hello_1.0.0_darwin_amd64.cdx.json", "sbom", "darwin/amd64", acceptSBOM},
		{"hello", "hello_1.0.0_darwin_arm64.cdx.json", "sbom", "darwin/arm64", acceptSBOM},
		{"hello", "hello.rb", "homebrew-cask", "darwin/all", acceptCask},
		{"hello", "hello.json", "scoop-manifest", "windows/all", acceptScoop},
		{"hello", "BundleKit.Hello.yaml", "winget-manifest", "windows/all", acceptWinget},
		{"hello", "BundleKit.Hello.installer.yaml", "winget-manifest", "windows/all", acceptWinget},
		{"hello", "BundleKit.Hello.locale.en-US.yaml", "winget-manifest", "windows/all", acceptWinget},
		{"hello", "hello-bin.PKGBUILD", "aur-pkgbuild", "linux/all", acceptPKGBUILD},
		{"hello", "hello-bin.SRCINFO", "aur-srcinfo", "linux/all", acceptSRCINFO},
		{"hello", bundler.ChecksumsName, "", "", acceptChecksums},
		{"hello", bundler.ManifestName, "", "", acceptManifest},

		{"universal", "hello_1.0.0_darwin_universal.tar.gz", "tar.gz", "darwin/universal", acceptTarGz},
		{"universal", "hello_1.0.0_darwin_universal.zip", "zip", "darwin/universal", acceptZip},
		{"universal", "hello_1.0.0_darwin_universal.app.zip", "app", "darwin/universal", acceptApp},
		{"universal", "hello_1.0.0_darwin_universal.dmg", "dmg", "darwin/universal", acceptDMG},
		{"universal", "hello_1.0.0_darwin_universal.cdx.json", "sbom", "darwin/universal", acceptSBOM},
		{"universal", "hello.rb", "homebrew-cask", "darwin/all", acceptCask},
		{"universal", bundler.ChecksumsName, "", "", acceptChecksums},

		{"msix", "hello_1.0.0_windows_amd64.msix", "msix", "windows/amd64", acceptMSIX},
		{"msix", "hello_1.0.0_windows_arm64.msix", "msix", "windows/arm64", acceptMSIX},
		{"universal", bundler.ManifestName, "", "", acceptManifest},
	}

	for name, b := range builds {
		rowed := map[string]bool{}
		for _, r := range rows {
			if r.build == name && r.format != "" {
				rowed[r.path] = true
			}
		}
		for _, a := range b.Result.Manifest.Artifacts {
			if !rowed[a.Path] {
				t.Errorf("%s: %s (%s, %s/%s) has no row", name, a.Path, a.Format, a.OS, a.Arch)
			}
			delete(rowed, a.Path)
		}
		for p := range rowed {
			t.Errorf("%s: no artifact %s", name, p)
		}
	}

	for _, r := range rows {
		t.Run(r.build+"/"+r.path, func(t *testing.T) {
			t.Parallel()
			b := builds[r.build]
			a := bundler.Artifact{Path: r.path}
			if r.format != "" {
				i := slices.IndexFunc(b.Result.Manifest.Artifacts, func(a bundler.Artifact) bool { return a.Path == r.path })
				if i < 0 {
					t.Fatalf("no artifact %s", r.path)
				}
				a = b.Result.Manifest.Artifacts[i]
				if a.Format != r.format || a.OS+"/"+a.Arch != r.target {
					t.Fatalf("artifacts.json says %s %s/%s, want %s %s", a.Format, a.OS, a.Arch, r.format, r.target)
				}
			}
			r.check(t, b, a)
		})
	}
}

// msixBuild is examples/hello's Windows targets as MSIX packages.
func msixBuild(t *testing.T) buildtest.Built {
	t.Helper()
	return buildtest.Shared(t, "hello msix", func(work string) buildtest.Built {
		dir := testfs.HelloWith(t, "[msix]", "")
		return buildtest.Build(context.Background(), t, bundler.BuildOptions{
			Config: filepath.Join(dir, "bundle.yaml"), Dist: filepath.Join(work, "dist"),
			Targets: []string{"windows/amd64", "windows/arm64"}, Formats: []string{"msix"},
		})
	})
}

// universalBuild is examples/hello's darwin targets in every macOS format,
// universal: one tar.gz, zip, app and dmg for both architectures.
func universalBuild(t *testing.T) buildtest.Built {
	t.Helper()
	return buildtest.Shared(t, "hello universal", func(work string) buildtest.Built {
		dir := filepath.Join(work, "hello")
		if err := universalProject(t, dir); err != nil {
			return buildtest.Built{Err: err}
		}
		return buildtest.Build(context.Background(), t, bundler.BuildOptions{
			Config: filepath.Join(dir, "bundle.yaml"), Dist: filepath.Join(work, "dist"),
			Targets: []string{"darwin/amd64", "darwin/arm64"},
		})

	})

}

// universalProject copies examples/hello into dir and makes its darwin
// targets one universal app in every macOS format, with a category.
func universalProject(t testing.TB, dir string) error {
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(testfs.RepoRoot(t), "examples/hello"))); err != nil {
		return err
	}
	cfg := filepath.Join(dir, "bundle.yaml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		return err
	}
	changed := strings.NewReplacer(
		"  darwin: [tar.gz]\n", "  darwin: [tar.gz, zip, app, dmg]\n",
		"  universal: false\n", "  universal: true\n  category: public.app-category.developer-tools\n",
	).Replace(string(data))
	if !strings.Contains(changed, "dmg]") || !strings.Contains(changed, "universal: true") {
		return errors.New("examples/hello/bundle.yaml no longer has the darwin formats and macos.universal lines to change")
	}
	return os.WriteFile(cfg, []byte(changed), 0o644)
}

// toolOutput runs a program in dir and returns its standard output; a
// failure fails t with what it wrote to stderr.
func toolOutput(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}

// inspectFile is bundler.Inspect of path; an error fails t.
func inspectFile(t *testing.T, path string) *bundler.Report {
	t.Helper()
	r, err := bundler.Inspect(context.Background(), path)
	if err != nil {
		t.Fatalf("inspect %s: %v", path, err)
	}
	return r
}

// exeTarget is the GOOS/GOARCH bundler.Inspect reads from an executable.
func exeTarget(t *testing.T, path string) string {
	t.Helper()
	x := inspectFile(t, path).Executable
	if x == nil {
		t.Fatalf("%s is not an executable", path)
	}
	return x.OS + "/" + x.Arch
}

// checkHelloVersion runs an unpacked hello, when it is built for this
// machine: it prints the version build.version_var set.
func checkHelloVersion(t *testing.T, exe, target string) {
	t.Helper()
	if target != buildtest.HostTarget() {
		return
	}
	out, err := exec.Command(exe, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "hello 1.0.0 ") {
		t.Errorf("%s --version = %q, %v; want the version set by build.version_var", exe, out, err)
	}
}

// stem is an archive's name without its extension: the folder inside it.
func stem(path string) string {
	base := filepath.Base(path)
	for _, ext := range []string{".tar.gz", ".app.zip", ".zip"} {
		if s, ok := strings.CutSuffix(base, ext); ok {
			return s
		}
	}
	return base
}

// checkArchiveExe: the executable bundler.Inspect finds in an archive is
// exe, mode 0755, for the artifact's target.
func checkArchiveExe(t *testing.T, path, exe string, a bundler.Artifact) {
	t.Helper()
	r := inspectFile(t, path)
	if r.Archive == nil || r.Archive.Executable == nil {
		t.Fatalf("inspect: no archive with an executable: %+v", r)
	}
	x := r.Archive.Executable
	if x.Path != exe || x.OS != a.OS || x.Arch != a.Arch {
		t.Errorf("inspect: executable %s for %s/%s, want %s for %s/%s", x.Path, x.OS, x.Arch, exe, a.OS, a.Arch)
	}
	if r.Archive.Folder != stem(path)+"/" {
		t.Errorf("inspect: top folder %q, want %s/", r.Archive.Folder, stem(path))
	}
	for _, e := range r.Archive.Entries {
		if e.Path == exe && e.Mode != "0755" {
			t.Errorf("%s: mode %s, want 0755", e.Path, e.Mode)
		}
	}
}

// acceptTarGz: tar lists the folder, the licence and the executable, all
// owned by root without names; the executable is for the target (both
// slices, each the thin build's, for a universal one) and runs here when
// it can.
func acceptTarGz(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	path := filepath.Join(b.Dist, a.Path)
	s := stem(path)
	exe := s + "/hello"
	entries := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(toolOutput(t, b.Dist, "tar", "-tzvf", path)), "\n") {
		f := strings.Fields(l)
		if len(f) < 6 {
			t.Fatalf("tar -tzvf line %q", l)
		}
		if f[1] != "0/0" {
			t.Errorf("%s: owner %s, want 0/0 without names", l, f[1])
		}
		entries[strings.Join(f[5:], " ")] = f[0]
	}
	want := map[string]string{s + "/": "drwxr-xr-x", s + "/LICENSE": "-rw-r--r--", exe: "-rwxr-xr-x"}
	if !reflect.DeepEqual(entries, want) {
		t.Errorf("tar -tzvf: %v, want %v", entries, want)
	}
	checkArchiveExe(t, path, exe, a)
	x := t.TempDir()
	toolOutput(t, x, "tar", "-xzf", path)
	checkHelloVersion(t, filepath.Join(x, exe), a.OS+"/"+a.Arch)
	if a.Arch == "universal" {
		checkUniversal(t, filepath.Join(x, exe))
	}
}

// acceptZip: unzip tests the archive and zipinfo shows the executable's
// mode; the executable is for the target.
func acceptZip(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	testtool.Need(t, "unzip", "unzip", "zipinfo")
	path := filepath.Join(b.Dist, a.Path)
	if out := toolOutput(t, b.Dist, "unzip", "-t", path); !strings.Contains(out, "No errors detected") {
		t.Errorf("unzip -t:\n%s", out)
	}
	exe := stem(path) + "/hello"
	if a.OS == "windows" {
		exe += ".exe"
	}
	info := toolOutput(t, b.Dist, "zipinfo", path)
	if !regexp.MustCompile(`(?m)^-rwxr-xr-x .* `+regexp.QuoteMeta(exe)+`$`).MatchString(info) ||
		!strings.Contains(info, " "+stem(path)+"/LICENSE\n") {
		t.Errorf("zipinfo lacks the executable %s (mode 0755) or the licence:\n%s", exe, info)
	}
	checkArchiveExe(t, path, exe, a)
	if a.Arch == "universal" {
		x := t.TempDir()
		toolOutput(t, x, "unzip", "-q", path)
		checkUniversal(t, filepath.Join(x, exe))
	}
}

// linuxArch is the rpm, apk and Arch Linux name of a GOARCH.
var linuxArch = map[string]string{"amd64": "x86_64", "arm64": "aarch64"}

// installedExe is the one program an unpacked package puts in /usr/bin,
// following its link into /opt inside root.
func installedExe(t *testing.T, root string) string {
	t.Helper()
	bins, _ := filepath.Glob(filepath.Join(root, "usr/bin/*"))
	if len(bins) != 1 {
		t.Fatalf("/usr/bin holds %v, want one program", bins)
	}
	exe := bins[0]
	if target, err := os.Readlink(exe); err == nil {
		if !filepath.IsAbs(target) {
			target = filepath.Join("/usr/bin", target)
		}
		exe = filepath.Join(root, target)
	}
	if _, err := os.Stat(exe); err != nil {
		t.Fatalf("installed program: %v", err)
	}
	return exe
}

// checkUnpacked: the program a package installs into root is for the
// artifact's target, and runs here when it can.
func checkUnpacked(t *testing.T, root string, a bundler.Artifact) {
	t.Helper()
	exe := installedExe(t, root)
	if got := exeTarget(t, exe); got != a.OS+"/"+a.Arch {
		t.Errorf("installed program %s is for %s, want %s/%s", exe, got, a.OS, a.Arch)
	}
	if filepath.Base(exe) == "hello" {
		checkHelloVersion(t, exe, a.OS+"/"+a.Arch)
	}
}

// checkPackageReport: bundler.Inspect reads the package's format, name,
// version and a file in /usr/bin.
func checkPackageReport(t *testing.T, path, format string) {
	t.Helper()
	p := inspectFile(t, path).Package
	if p == nil {
		t.Fatalf("inspect: %s is not read as a package", path)
	}
	fields := map[string]string{}
	for _, f := range p.Fields {
		fields[strings.ToLower(f.Key)] = f.Value
	}
	name := fields["package"] + fields["name"] + fields["pkgname"]
	ver := fields["version"] + fields["pkgver"]
	if p.Format != format || name == "" || !strings.HasPrefix(ver, "1.0.0") {
		t.Errorf("inspect: format %s, fields %v", p.Format, fields)
	}
	if !slices.ContainsFunc(p.Files, func(f string) bool { return strings.HasPrefix(f, "/usr/bin/") }) {
		t.Errorf("inspect: no /usr/bin file in %v", p.Files)
	}
}

// acceptDeb: dpkg-deb reads the control fields and files, lintian finds
// no error or warning, the program inside is for the target, and the
// package installs (into a throw-away root) and runs on this machine.
func acceptDeb(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	checkDeb(t, filepath.Join(b.Dist, a.Path), a)
}

func checkDeb(t *testing.T, path string, a bundler.Artifact) {
	testtool.Need(t, "dpkg lintian", "dpkg-deb", "dpkg", "lintian")
	dir := filepath.Dir(path)
	info := toolOutput(t, dir, "dpkg-deb", "--info", path)
	// Debian names amd64 and arm64 as Go does.
	for _, want := range []string{"Version: 1.0.0-1", "Maintainer: The bundle authors", "Architecture: " + a.Arch} {
		if !strings.Contains(info, want) {
			t.Errorf("dpkg-deb --info lacks %q:\n%s", want, info)
		}
	}
	list := toolOutput(t, dir, "dpkg-deb", "--contents", path)
	if !strings.Contains(list, "./usr/bin/") || !strings.Contains(list, "./usr/share/doc/") {
		t.Errorf("dpkg-deb --contents:\n%s", list)
	}
	if out, err := exec.Command("lintian", "--fail-on", "error,warning", path).CombinedOutput(); err != nil {
		t.Errorf("lintian: %v\n%s", err, out)
	}
	root := t.TempDir()
	toolOutput(t, dir, "dpkg-deb", "-x", path, root)
	checkUnpacked(t, root, a)
	checkPackageReport(t, path, "deb")
	if a.OS+"/"+a.Arch == buildtest.HostTarget() {
		installDeb(t, path)
	}
}

// installDeb installs a package with dpkg into a throw-away root, never
// the machine's own, and runs the installed program.
func installDeb(t *testing.T, deb string) {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	toolOutput(t, root, "dpkg", "--root="+root, "--force-script-chrootless", "--force-not-root", "--force-depends", "-i", deb)
	checkUnpacked(t, root, bundler.Artifact{OS: "linux", Arch: strings.Split(buildtest.HostTarget(), "/")[1]})
}

// acceptRPM: rpm reads the header and files and checks the digests; the
// package installs (into a throw-away root) and its program is for the
// target, and runs on this machine.
func acceptRPM(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	checkRPM(t, filepath.Join(b.Dist, a.Path), a)
}

func checkRPM(t *testing.T, path string, a bundler.Artifact) {
	testtool.Need(t, "rpm", "rpm")
	dir := filepath.Dir(path)
	info := toolOutput(t, dir, "rpm", "-qip", path)
	for _, want := range []string{"Version     : 1.0.0", "Release     : 1", "Architecture: " + linuxArch[a.Arch]} {
		if !strings.Contains(info, want) {
			t.Errorf("rpm -qip lacks %q:\n%s", want, info)
		}
	}
	if list := toolOutput(t, dir, "rpm", "-qlp", path); !strings.Contains(list, "/usr/bin/") {
		t.Errorf("rpm -qlp:\n%s", list)
	}
	if out := toolOutput(t, dir, "rpm", "-K", path); !strings.HasSuffix(strings.TrimSpace(out), "digests OK") {
		t.Errorf("rpm -K: %s", out)
	}
	root := t.TempDir()
	toolOutput(t, root, "rpm", "--root", root, "--initdb")
	toolOutput(t, root, "rpm", "--root", root, "-i", "--nodeps", "--noscripts", "--ignorearch", path)
	checkUnpacked(t, root, a)
	checkPackageReport(t, path, "rpm")
}

// pkgInfo reads the key = value lines of an apk's or Arch package's
// .PKGINFO.
func pkgInfo(text string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(l, " = "); ok && !strings.HasPrefix(k, "#") {
			m[k] = v
		}
	}
	return m
}

// acceptAPK: the package's tar lists .PKGINFO first and the program; its
// .PKGINFO names the version and architecture; the program is for the
// target.
func acceptAPK(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	checkAPK(t, filepath.Join(b.Dist, a.Path), a)
}

func checkAPK(t *testing.T, path string, a bundler.Artifact) {
	dir := filepath.Dir(path)
	list := toolOutput(t, dir, "tar", "-tzf", path)
	if !strings.HasPrefix(list, ".PKGINFO\n") || !strings.Contains(list, "usr/bin/") {
		t.Errorf("apk contents:\n%s", list)
	}
	info := pkgInfo(toolOutput(t, dir, "tar", "-xzOf", path, ".PKGINFO"))
	if info["pkgver"] != "1.0.0-r0" || info["arch"] != linuxArch[a.Arch] || info["pkgname"] == "" {
		t.Errorf(".PKGINFO: %v", info)
	}
	root := t.TempDir()
	toolOutput(t, root, "tar", "-xzf", path)
	checkUnpacked(t, root, a)
	checkPackageReport(t, path, "apk")
}

// acceptArchLinux: .PKGINFO (read with tar --zstd) and pacman name the
// version and architecture; the program is for the target.
func acceptArchLinux(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	checkArchLinux(t, filepath.Join(b.Dist, a.Path), a)
}

func checkArchLinux(t *testing.T, path string, a bundler.Artifact) {
	testtool.Need(t, "zstd pacman-package-manager", "zstd", "pacman")
	dir := filepath.Dir(path)
	info := pkgInfo(toolOutput(t, dir, "tar", "--zstd", "-xOf", path, ".PKGINFO"))
	if info["pkgver"] != "1.0.0-1" || info["arch"] != linuxArch[a.Arch] || info["pkgname"] == "" {
		t.Errorf(".PKGINFO: %v", info)
	}
	if out := toolOutput(t, dir, "pacman", "-Qip", path); !strings.Contains(out, "Version         : 1.0.0-1") {
		t.Errorf("pacman -Qip:\n%s", out)
	}
	root := t.TempDir()
	toolOutput(t, root, "tar", "--zstd", "-xf", path)
	checkUnpacked(t, root, a)
	checkPackageReport(t, path, "archlinux")
}

// acceptNSIS: the installer is a 64-bit PE; 7-Zip lists its payload,
// whose hello.exe is for the target; it carries the app's icon and the
// version information, read by bundler.Inspect, wrestool and exiftool.
func acceptNSIS(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	testtool.Need(t, "7zip", "7zz")
	path := filepath.Join(b.Dist, a.Path)
	f, err := pe.Open(path)
	if err != nil {
		t.Fatalf("the installer is not a PE file: %v", err)
	}
	machine := f.Machine
	f.Close()
	// NSIS's 64-bit stub runs on arm64 Windows too.
	if machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		t.Errorf("installer machine %#x, want amd64 (amd64-unicode)", machine)
	}
	list := toolOutput(t, b.Dist, "7zz", "l", path)
	for _, want := range []string{" hello.exe\n", " LICENSE\n", " uninstall.exe\n"} {
		if !strings.Contains(list, want) {
			t.Errorf("7zz l lacks%s", want)
		}
	}
	x := t.TempDir()
	toolOutput(t, x, "7zz", "e", "-o"+x, path, "hello.exe")
	if got := exeTarget(t, filepath.Join(x, "hello.exe")); got != a.OS+"/"+a.Arch {
		t.Errorf("the installer's hello.exe is for %s, want %s/%s", got, a.OS, a.Arch)
	}

	setup := inspectFile(t, path).Executable
	if setup == nil || setup.Resources == nil || setup.Resources.Version == nil {
		t.Fatalf("inspect: no resources: %+v", setup)
	}
	res := setup.Resources
	if !slices.Equal(res.IconSizes, icons.ICOSizes) {
		t.Errorf("icon sizes %v, want the app's icon: %v", res.IconSizes, icons.ICOSizes)
	}
	v := res.Version
	if v.FileVersion != [4]uint16{1, 0, 0, 0} || v.ProductVersion != [4]uint16{1, 0, 0, 0} {
		t.Errorf("fixed version: file %v product %v", v.FileVersion, v.ProductVersion)
	}
	versionStrings := map[string]string{
		"ProductName": "Hello", "CompanyName": "The bundle authors", "FileDescription": "Hello Setup",
		"FileVersion": "1.0.0", "ProductVersion": "1.0.0", "LegalCopyright": "© 2026 The bundle authors",
	}
	for k, want := range versionStrings {
		if got := v.Lookup(k); got != want {
			t.Errorf("inspect: %s = %q, want %q", k, got, want)
		}
	}
	if setup.Signed == nil || *setup.Signed {
		t.Errorf("inspect: signed %v, want unsigned", setup.Signed)
	}

	t.Run("wrestool", func(t *testing.T) {
		testtool.Need(t, "icoutils", "wrestool")
		out := toolOutput(t, "", "wrestool", "-l", path)
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
	t.Run("exiftool", func(t *testing.T) {
		testtool.Need(t, "libimage-exiftool-perl", "exiftool")
		out := toolOutput(t, "", "exiftool", "-s", "-FileVersionNumber", "-ProductVersionNumber", "-ProductName",
			"-CompanyName", "-FileDescription", "-FileVersion", "-ProductVersion", "-LegalCopyright", path)
		got := map[string]string{}
		for _, l := range strings.Split(out, "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok {
				got[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		want := map[string]string{"FileVersionNumber": "1.0.0.0", "ProductVersionNumber": "1.0.0.0"}
		for k, v := range versionStrings {
			want[k] = v
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s = %q, want %q", k, got[k], w)
			}
		}
	})
}

// msiProperties reads an MSI's Property table with msiinfo.
func msiProperties(t *testing.T, msi string) map[string]string {
	t.Helper()
	props := map[string]string{}
	for _, line := range strings.Split(toolOutput(t, filepath.Dir(msi), "msiinfo", "export", msi, "Property"), "\n") {
		if k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), "\t"); ok {
			props[k] = v
		}
	}
	return props
}

// acceptMSI: msiinfo reads the summary, the tables, the streams and the
// Property table; bundler.Inspect reads the same codes; msiextract
// unpacks a hello.exe for the target.
func acceptMSI(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	testtool.Need(t, "msitools", "msiinfo", "msiextract")
	path := filepath.Join(b.Dist, a.Path)
	sum := toolOutput(t, b.Dist, "msiinfo", "suminfo", path)
	for _, want := range []string{"Subject: Hello 1.0.0 installer", "Author: The bundle authors", "Template: x64;1033"} {
		if !strings.Contains(sum, want) {
			t.Errorf("msiinfo suminfo lacks %q:\n%s", want, sum)
		}
	}
	tables := toolOutput(t, b.Dist, "msiinfo", "tables", path)
	for _, want := range []string{"Property", "Upgrade", "Shortcut", "Registry", "Icon", "RemoveFile", "LaunchCondition", "File"} {
		if !regexp.MustCompile(`(?m)^` + want + `\r?$`).MatchString(tables) {
			t.Errorf("no %s table:\n%s", want, tables)
		}
	}
	streams := toolOutput(t, b.Dist, "msiinfo", "streams", path)
	if !regexp.MustCompile(`(?m)^cab1\.cab\r?$`).MatchString(streams) || !regexp.MustCompile(`(?m)^Icon\.`).MatchString(streams) {
		t.Errorf("msiinfo streams lacks the cabinet or the icon:\n%s", streams)
	}
	p := msiProperties(t, path)
	if p["ProductVersion"] != "1.0.0" || p["ProductName"] != "Hello" || p["Manufacturer"] != "The bundle authors" ||
		p["ARPURLINFOABOUT"] != "https://github.com/bundlekit/bundle" || p["ARPPRODUCTICON"] == "" {
		t.Errorf("Property table: %v", p)
	}

	m := inspectFile(t, path).MSI
	if m == nil {
		t.Fatal("inspect: not read as an MSI")
	}
	if m.ProductName != "Hello" || m.ProductVersion != "1.0.0" || m.Arch != a.Arch || m.Signed ||
		m.ProductCode != p["ProductCode"] || m.UpgradeCode != p["UpgradeCode"] {
		t.Errorf("inspect: %+v; Property table %v", m, p)
	}
	exeListed := false
	for _, f := range m.Files {
		exeListed = exeListed || strings.HasSuffix(f.Path, `\hello.exe`)
	}
	if !exeListed {
		t.Errorf("inspect: no hello.exe in %v", m.Files)
	}

	x := t.TempDir()
	toolOutput(t, x, "msiextract", "-C", x, path)
	exes, _ := filepath.Glob(filepath.Join(x, "*", "*", "hello.exe"))
	if len(exes) != 1 {
		t.Fatalf("msiextract: hello.exe at %v", exes)
	}
	if got := exeTarget(t, exes[0]); got != a.OS+"/"+a.Arch {
		t.Errorf("the MSI's hello.exe is for %s, want %s/%s", got, a.OS, a.Arch)
	}
}

// acceptApp: the zipped .app unzips with the executable's mode kept; the
// executable is universal; Info.plist holds every key, read by
// bundler.Inspect and by Python's plistlib; the icns holds each PNG.
func acceptApp(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	testtool.Need(t, "unzip", "unzip")
	path := filepath.Join(b.Dist, a.Path)
	x := t.TempDir()
	toolOutput(t, x, "unzip", "-q", path)
	app := filepath.Join(x, "Hello.app")
	exe := filepath.Join(app, "Contents", "MacOS", "hello")
	if info, err := os.Stat(exe); err != nil || info.Mode().Perm() != 0o755 {
		t.Fatalf("executable after unzip: %v", err)
	}
	checkUniversal(t, exe)
	checkMacApp(t, inspectFile(t, path).MacApp)

	testtool.Need(t, "python3", "python3")
	out, err := exec.Command("python3", "-c", "import plistlib,sys; d=plistlib.load(open(sys.argv[1],'rb')); print(d['CFBundleIdentifier'], d['NSHighResolutionCapable'], d['CFBundleShortVersionString'])",
		filepath.Join(app, "Contents", "Info.plist")).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "dev.bundlekit.hello True 1.0.0" {
		t.Errorf("plistlib: %s %v", out, err)
	}
	checkICNS(t, filepath.Join(app, "Contents", "Resources", "hello.icns"))
}

// checkMacApp: bundler.Inspect's report of a .app names every Info.plist
// key with its value and both architectures.
func checkMacApp(t *testing.T, m *bundler.MacApp) {
	t.Helper()
	if m == nil {
		t.Fatal("inspect: no macOS app")
	}
	got := map[string]string{}
	for _, f := range m.Plist {
		got[f.Key] = f.Value
	}
	want := map[string]string{
		"CFBundleIdentifier": "dev.bundlekit.hello", "CFBundleName": "Hello", "CFBundleDisplayName": "Hello",
		"CFBundleExecutable": "hello", "CFBundleIconFile": "hello.icns", "CFBundlePackageType": "APPL",
		"CFBundleShortVersionString": "1.0.0", "CFBundleVersion": "1.0.0", "LSMinimumSystemVersion": "12.0",
		"NSHighResolutionCapable": "true", "LSApplicationCategoryType": "public.app-category.developer-tools",
		"NSHumanReadableCopyright": "© 2026 The bundle authors",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("Info.plist %s = %q, want %q", k, got[k], v)
		}
	}
	if m.Bundle != "Hello.app" || !slices.Equal(m.Arches, []string{"amd64", "arm64"}) {
		t.Errorf("inspect: bundle %s, architectures %v", m.Bundle, m.Arches)
	}
}

// acceptDMG: 7-Zip lists the bundle, its Info.plist and the Applications
// link; dmg2img converts the image; the executable inside is universal;
// the image is compressed: at most 1.1× the app zip.
func acceptDMG(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	testtool.Need(t, "7zip dmg2img", "7zz", "dmg2img")
	path := filepath.Join(b.Dist, a.Path)
	list := toolOutput(t, b.Dist, "7zz", "l", path)
	for _, want := range []string{" Hello/Hello.app/Contents/MacOS/hello\n", " Hello/Hello.app/Contents/Info.plist\n", " Hello/Applications\n"} {
		if !strings.Contains(list, want) {
			t.Errorf("7zz l lacks%s", want)
		}
	}
	x := t.TempDir()
	toolOutput(t, x, "7zz", "x", "-o"+x, path)
	if target, err := os.Readlink(filepath.Join(x, "Hello", "Applications")); err != nil || filepath.Base(target) != "Applications" {
		t.Errorf("Applications is not a link to /Applications: %q %v", target, err)
	}
	checkUniversal(t, filepath.Join(x, "Hello", "Hello.app", "Contents", "MacOS", "hello"))

	img := filepath.Join(t.TempDir(), "hello.img")
	toolOutput(t, b.Dist, "dmg2img", path, img)
	if out := toolOutput(t, b.Dist, "7zz", "l", img); !strings.Contains(out, " Hello/Hello.app/Contents/MacOS/hello\n") {
		t.Errorf("7zz l of dmg2img's image:\n%s", out)
	}

	checkMacApp(t, inspectFile(t, path).MacApp)
	for _, o := range b.Result.Manifest.Artifacts {
		if o.Format == "app" && float64(a.Size) > 1.1*float64(o.Size) {
			t.Errorf("dmg is %d bytes, more than 1.1× the app zip's %d", a.Size, o.Size)
		}
	}
}

// checkUniversal: a universal executable has an amd64 and an arm64 slice,
// each the executable of helloBuild's thin build for it, so lipo changed
// nothing; llvm-lipo agrees, and the arm64 slice's ad-hoc signature still
// verifies.
func checkUniversal(t *testing.T, exe string) {
	t.Helper()
	fat, err := macho.OpenFat(exe)
	if err != nil {
		t.Fatalf("%s is not a universal binary: %v", exe, err)
	}
	var cpus []macho.Cpu
	for _, a := range fat.Arches {
		cpus = append(cpus, a.Cpu)
	}
	fat.Close()
	if !slices.Equal(cpus, []macho.Cpu{macho.CpuAmd64, macho.CpuArm64}) {
		t.Errorf("fat arches %v", cpus)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := bundlemacho.Slices(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	thin := buildtest.Hello(t)
	for _, part := range parts {
		x := t.TempDir()
		toolOutput(t, x, "tar", "-xzf", filepath.Join(thin.Dist, "hello_1.0.0_darwin_"+part.CPU+".tar.gz"))
		want, err := os.ReadFile(filepath.Join(x, "hello_1.0.0_darwin_"+part.CPU, "hello"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(part.Data, want) {
			t.Errorf("%s slice differs from the thin build's executable", part.CPU)
		}
		if part.CPU == "arm64" {
			// The linker's ad-hoc signature, checked by an independent
			// verifier: every page hash still matches.
			testtool.Need(t, "python3", "python3")
			slice := filepath.Join(x, "arm64")
			if err := os.WriteFile(slice, part.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			verifier := filepath.Join(testfs.RepoRoot(t), "bundler", "internal", "macsign", "testdata", "verify_codesign.py")
			if out, err := exec.Command("python3", verifier, slice).CombinedOutput(); err != nil || !strings.Contains(string(out), `"adhoc": true`) {
				t.Errorf("arm64 slice signature: %v\n%s", err, out)
			}
		}
	}
	lipo := ""
	for _, name := range []string{"llvm-lipo", "llvm-lipo-14", "llvm-lipo-15", "llvm-lipo-16"} {
		if p, err := exec.LookPath(name); err == nil {
			lipo = p
		}
	}
	if lipo == "" {
		testtool.Need(t, "llvm", "llvm-lipo")
	}
	if out := toolOutput(t, "", lipo, "-info", exe); !strings.Contains(out, "x86_64 arm64") {
		t.Errorf("llvm-lipo -info: %s", out)
	}
}

// checkICNS reads an .icns back: the header's length is the file's, and
// each element is a PNG of its type's size.
func checkICNS(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 8 || string(data[:4]) != "icns" || int(binary.BigEndian.Uint32(data[4:])) != len(data) {
		t.Fatalf("icns header")
	}
	sizes := map[string]int{"icp4": 16, "icp5": 32, "icp6": 64, "ic07": 128, "ic08": 256, "ic09": 512, "ic10": 1024, "ic11": 32, "ic12": 64, "ic13": 256, "ic14": 512}
	seen := 0
	for off := 8; off+8 <= len(data); {
		typ, n := string(data[off:off+4]), int(binary.BigEndian.Uint32(data[off+4:]))
		if n < 8 || off+n > len(data) {
			t.Fatalf("icns %s: length %d past the end", typ, n)
		}
		img, err := png.DecodeConfig(bytes.NewReader(data[off+8 : off+n]))
		if err != nil || img.Width != sizes[typ] || img.Height != sizes[typ] {
			t.Errorf("icns %s: %dx%d %v", typ, img.Width, img.Height, err)
		}
		seen++
		off += n
	}
	if seen != len(sizes) {
		t.Errorf("icns has %d elements, want %d", seen, len(sizes))
	}
}

// acceptSBOM: the target's SBOM is CycloneDX 1.5 naming the app, the
// module and the Go toolchain, and the hash of the executable the target's
// archive ships (of a universal one: a slice's, as the SBOM describes one
// build).
func acceptSBOM(t *testing.T, b buildtest.Built, a bundler.Artifact) {
	data, err := os.ReadFile(filepath.Join(b.Dist, a.Path))
	if err != nil {
		t.Fatal(err)
	}
	var bom struct {
		BOMFormat   string `json:"bomFormat"`
		SpecVersion string `json:"specVersion"`
		Metadata    struct {
			Component struct {
				Name, Version string
				Hashes        []struct{ Alg, Content string }
			}
			Properties []struct{ Name, Value string }
		}
		Components []struct{ Name string }
	}
	if err := json.Unmarshal(data, &bom); err != nil || bom.BOMFormat != "CycloneDX" || bom.SpecVersion != "1.5" {
		t.Fatalf("%v %+v", err, bom)
	}
	var names []string
	for _, c := range bom.Components {
		names = append(names, c.Name)
	}
	if !slices.Contains(names, "github.com/bundlekit/bundle/examples/hello") || !slices.Contains(names, "std") {
		t.Errorf("components %v, want the module and std", names)
	}
	c := bom.Metadata.Component
	if c.Name != "Hello" || c.Version != "1.0.0" || len(c.Hashes) != 1 || c.Hashes[0].Alg != "SHA-256" {
		t.Fatalf("component %+v", c)
	}
	props := map[string]string{}
	for _, p := range bom.Metadata.Properties {
		props[p.Name] = p.Value
	}
	if props["bundle:go:build:GOOS"] != a.OS || (a.Arch != "universal" && props["bundle:go:build:GOARCH"] != a.Arch) {
		t.Errorf("build properties GOOS %q GOARCH %q, want %s/%s", props["bundle:go:build:GOOS"], props["bundle:go:build:GOARCH"], a.OS, a.Arch)
	}

	// The executable the target's archive ships, and its slices.
	archive, exe := "tar.gz", "hello"
	if a.OS == "windows" {
		archive, exe = "zip", "hello.exe"
	}
	i := slices.IndexFunc(b.Result.Manifest.Artifacts, func(o bundler.Artifact) bool {
		return o.OS == a.OS && o.Arch == a.Arch && o.Format == archive
	})
	if i < 0 {
		t.Fatalf("no %s for %s/%s", archive, a.OS, a.Arch)
	}
	x := t.TempDir()
	path := filepath.Join(b.Dist, b.Result.Manifest.Artifacts[i].Path)
	if archive == "zip" {
		toolOutput(t, x, "unzip", "-q", path)
	} else {
		toolOutput(t, x, "tar", "-xzf", path)
	}
	shipped, err := os.ReadFile(filepath.Join(x, stem(path), exe))
	if err != nil {
		t.Fatal(err)
	}
	hashes := []string{sha256Hex(shipped)}
	if a.Arch == "universal" {
		parts, err := bundlemacho.Slices(bytes.NewReader(shipped))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			hashes = append(hashes, sha256Hex(p.Data))
		}
	}
	if !slices.Contains(hashes, c.Hashes[0].Content) {
		t.Errorf("SBOM hash %s is not of the shipped executable (%v)", c.Hashes[0].Content, hashes)
	}
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// acceptChecksums: sha256sum -c passes, and checksums.txt lists exactly
// the artifacts of artifacts.json with their hashes.
func acceptChecksums(t *testing.T, b buildtest.Built, _ bundler.Artifact) {
	testtool.Need(t, "coreutils", "sha256sum")
	out := toolOutput(t, b.Dist, "sha256sum", "--strict", "-c", bundler.ChecksumsName)
	if n := strings.Count(out, ": OK\n"); n != len(b.Result.Manifest.Artifacts) {
		t.Errorf("sha256sum -c checked %d files, want %d:\n%s", n, len(b.Result.Manifest.Artifacts), out)
	}
	data, err := os.ReadFile(filepath.Join(b.Dist, bundler.ChecksumsName))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{}
	for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		sum, name, ok := strings.Cut(l, "  ")
		if !ok {
			t.Fatalf("checksums.txt line %q", l)
		}
		listed[name] = sum
	}
	want := map[string]string{}
	for _, a := range b.Result.Manifest.Artifacts {
		want[a.Path] = a.SHA256
	}
	if !reflect.DeepEqual(listed, want) {
		t.Errorf("checksums.txt %v\nartifacts.json %v", listed, want)
	}
}

// acceptManifest: artifacts.json is what the build returned, names the
// app and version, and agrees with dist: each artifact's size and hash,
// and no other file.
func acceptManifest(t *testing.T, b buildtest.Built, _ bundler.Artifact) {
	m, err := bundler.ReadManifest(b.Dist)
	if err != nil || m == nil {
		t.Fatalf("read artifacts.json: %v", err)
	}
	if !reflect.DeepEqual(*m, b.Result.Manifest) {
		t.Errorf("artifacts.json differs from the build's result:\n%+v\n%+v", *m, b.Result.Manifest)
	}
	if m.Name != "Hello" || m.Version != "1.0.0" {
		t.Errorf("name %q version %q", m.Name, m.Version)
	}
	files := []string{bundler.ChecksumsName, bundler.ManifestName}
	for _, a := range m.Artifacts {
		files = append(files, a.Path)
		data, err := os.ReadFile(filepath.Join(b.Dist, a.Path))
		if err != nil {
			t.Error(err)
			continue
		}
		if int64(len(data)) != a.Size || sha256Hex(data) != a.SHA256 {
			t.Errorf("%s: %d bytes, sha256 %s; artifacts.json says %d, %s", a.Path, len(data), sha256Hex(data), a.Size, a.SHA256)
		}
	}
	entries, err := os.ReadDir(b.Dist)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(files)
	if !slices.Equal(got, files) {
		t.Errorf("dist holds %v, want %v", got, files)
	}
}
