package linuxpkg

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
	"github.com/klauspost/compress/zstd"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/packager/packagertest"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/internal/testtool"
)

// TestPackageArch builds every Linux target's package in every format and
// reads its architecture back as the package manager does: dpkg-deb, rpm,
// and the .PKGINFO of an apk or Arch package. The names are the managers'
// own: deb as dpkg-architecture -L lists them, rpm as its rpmrc, apk as
// Alpine's ports, Arch as alpm-architecture(7) and the ports that are
// not in it (Arch Linux for Loong64's loong64, Arch POWER's powerpc64le,
// Parabola's mips64el; s390x, which no port has, is pacman's default name,
// uname -m). "" is a target the format makes no package of.
func TestPackageArch(t *testing.T) {
	t.Setenv("GOARM", "") // Go's default, 7, where a row sets none
	tests := []struct {
		target              string
		goarm               string // build.env's GOARM
		deb, rpm, apk, arch string
	}{
		{target: "linux/386", deb: "i386", rpm: "i386", apk: "x86", arch: "i686"},
		{target: "linux/amd64", deb: "amd64", rpm: "x86_64", apk: "x86_64", arch: "x86_64"},
		{target: "linux/arm", deb: "armhf", rpm: "armv7hl", apk: "armv7", arch: "armv7h"},
		{target: "linux/arm", goarm: "7", deb: "armhf", rpm: "armv7hl", apk: "armv7", arch: "armv7h"},
		// Debian has no ARMv6 port: armhf is Raspbian's, for ARMv6 too.
		{target: "linux/arm", goarm: "6", deb: "armhf", rpm: "armv6hl", apk: "armhf", arch: "armv6h"},
		{target: "linux/arm", goarm: "6,softfloat", deb: "armhf", rpm: "armv6hl", apk: "armhf", arch: "armv6h"},
		// Alpine has no ARMv5 port; Arch Linux ARM's was "arm".
		{target: "linux/arm", goarm: "5", deb: "armel", rpm: "armv5tel", apk: "", arch: "arm"},
		{target: "linux/arm64", deb: "arm64", rpm: "aarch64", apk: "aarch64", arch: "aarch64"},
		{target: "linux/loong64", deb: "loong64", rpm: "loongarch64", apk: "loongarch64", arch: "loong64"},
		{target: "linux/mips64le", deb: "mips64el", rpm: "mips64el", apk: "", arch: "mips64el"},
		{target: "linux/ppc64le", deb: "ppc64el", rpm: "ppc64le", apk: "ppc64le", arch: "powerpc64le"},
		{target: "linux/riscv64", deb: "riscv64", rpm: "riscv64", apk: "riscv64", arch: "riscv64"},
		{target: "linux/s390x", deb: "s390x", rpm: "s390x", apk: "s390x", arch: "s390x"},
	}

	rowed := map[string]bool{}
	for _, tt := range tests {
		rowed[tt.target] = true
	}
	for _, s := range platform.Targets() {
		if strings.HasPrefix(s, "linux/") && !rowed[s] {
			t.Errorf("%s has no row", s)
		}
	}

	for _, tt := range tests {
		target, _ := platform.Parse(tt.target)
		for _, c := range []struct {
			f    Format
			want string
		}{{Deb, tt.deb}, {RPM, tt.rpm}, {APK, tt.apk}, {ArchLinux, tt.arch}} {
			t.Run(tt.target+"/GOARM="+tt.goarm+"/"+c.f.name, func(t *testing.T) {
				in := archInput(t, target, tt.goarm)
				if c.want == "" {
					ok, _ := c.f.SupportsArch(target.Arch)
					if err := c.f.Check(in.Config, target, in.Version); ok && exitcode.Of(err) != exitcode.Usage {
						t.Fatalf("made, or not refused as a configuration error: %v", err)
					}
					return
				}
				if ok, why := c.f.SupportsArch(target.Arch); !ok {
					t.Fatalf("skipped: %s", why)
				}
				if err := c.f.Check(in.Config, target, in.Version); err != nil {
					t.Fatal(err)
				}
				name := c.f.FileName(in)
				if !strings.HasSuffix(name, fileArch[c.f](c.want)) {
					t.Errorf("file name %s, want it to end in %s", name, fileArch[c.f](c.want))
				}
				data, err := packagertest.Make(context.Background(), t, c.f, in)
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(t.TempDir(), name)
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				if got := readArch[c.f](t, path); got != c.want {
					t.Errorf("architecture %q, want %q", got, c.want)
				}
			})
		}
	}
}

// TestPackageArchRefused: a linux/arm package whose ARM version the
// format cannot name is refused by Check, before anything is built, with
// one line naming GOARM, where it was set, and the fix; so is a GOARM the
// go command does not know, for every format. Package refuses them too.
func TestPackageArchRefused(t *testing.T) {
	t.Setenv("GOARM", "")
	arm := platform.Target{OS: "linux", Arch: "arm"}
	tests := []struct {
		name  string
		f     Format
		goarm string
		env   string // the environment's GOARM
		want  string
	}{
		{name: "apk, ARMv5", f: APK, goarm: "5", want: "apk: linux/arm: GOARM=5 (from build.env): Alpine has no ARMv5 port (armhf, its oldest ARM port, is ARMv6); set GOARM=6 or 7 in build.env, or take apk out of formats.linux"},
		{name: "apk, ARMv5 from the environment", f: APK, env: "5,softfloat", want: "apk: linux/arm: GOARM=5,softfloat (from the environment): Alpine has no ARMv5 port"},
		{name: "unknown version", f: Deb, goarm: "8", want: "deb: linux/arm: GOARM=8 (from build.env) is not an ARM version go build knows; set GOARM to 5, 6 or 7 in build.env, optionally followed by ,softfloat or ,hardfloat"},
		{name: "unknown floating point", f: RPM, goarm: "7,vfpv3", want: "rpm: linux/arm: GOARM=7,vfpv3 (from build.env) is not an ARM version"},
		{name: "empty version", f: ArchLinux, goarm: ",softfloat", want: "archlinux: linux/arm: GOARM=,softfloat (from build.env) is not an ARM version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GOARM", tt.env)
			in := archInput(t, arm, tt.goarm)
			err := tt.f.Check(in.Config, arm, in.Version)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") || exitcode.Of(err) != exitcode.Usage {
				t.Fatalf("Check: %v (exit %d), want one line starting %q, exit 2", err, exitcode.Of(err), tt.want)
			}
			if _, err := packagertest.Make(context.Background(), t, tt.f, in); exitcode.Of(err) != exitcode.Usage {
				t.Errorf("Package: %v, want it refused, exit 2", err)
			}
		})
	}

	// A target the distribution has no port for at all is left out by the
	// plan, which says why.
	if ok, why := APK.SupportsArch("mips64le"); ok || why != "apk: Alpine has no mips64el port" {
		t.Errorf("APK.SupportsArch(mips64le) = %v, %q", ok, why)
	}
}

// archInput is a one-file app for target, with GOARM set in build.env
// unless goarm is "".
func archInput(t *testing.T, target platform.Target, goarm string) packager.Input {
	t.Helper()
	app := t.TempDir()
	if err := os.WriteFile(filepath.Join(app, "hello"), []byte("\x7fELF hello"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := config.Config{
		Name: "Hello", Binary: "hello", Description: "Says hello.", Maintainer: "Ex <ex@example.com>",
		License: "MIT", Linux: config.Linux{PackageName: "hello"},
	}
	if goarm != "" {
		c.Build.Env = []string{"GOARM=" + goarm}
	}
	return packager.Input{
		Config: c, Dir: t.TempDir(), Version: semver.MustParse("1.0.0"), Target: target,
		AppDir: app, Exe: "hello", Stem: "hello_1.0.0_" + target.OS + "_" + target.Arch,
		WorkDir: t.TempDir(),
	}
}

// fileArch is how each format's file name ends for an architecture.
var fileArch = map[Format]func(arch string) string{
	Deb:       func(a string) string { return "_" + a + ".deb" },
	RPM:       func(a string) string { return "." + a + ".rpm" },
	APK:       func(a string) string { return "_" + a + ".apk" },
	ArchLinux: func(a string) string { return "-" + a + ".pkg.tar.zst" },
}

// readArch reads a package's architecture as its manager does.
var readArch = map[Format]func(t *testing.T, path string) string{
	Deb: func(t *testing.T, path string) string {
		testtool.Need(t, "dpkg", "dpkg-deb")
		return run(t, "dpkg-deb", "--field", path, "Architecture")
	},
	RPM: func(t *testing.T, path string) string {
		testtool.Need(t, "rpm", "rpm")
		return run(t, "rpm", "--query", "--package", "--queryformat", "%{ARCH}", path)
	},
	APK: func(t *testing.T, path string) string {
		return pkgInfoArch(t, path, func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }) // apk's gzip streams read as one tar
	},
	ArchLinux: func(t *testing.T, path string) string {
		return pkgInfoArch(t, path, func(r io.Reader) (io.Reader, error) { return zstd.NewReader(r) })
	},
}

// run runs a program and returns its trimmed output; a failure fails t.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// pkgInfoArch is the "arch = " line of the .PKGINFO in the package at
// path, a tar compressed as decompress reads.
func pkgInfoArch(t *testing.T, path string, decompress func(io.Reader) (io.Reader, error)) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := decompress(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			t.Fatal("no .PKGINFO")
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name != ".PKGINFO" {
			continue
		}
		arch := ""
		for s := bufio.NewScanner(tr); s.Scan(); {
			if v, ok := strings.CutPrefix(s.Text(), "arch = "); ok {
				if arch != "" {
					t.Fatalf(".PKGINFO names two architectures, %s and %s", arch, v)
				}
				arch = v
			}
		}
		return arch
	}
}
