package aur

import (
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr/pkgmgrtest"
	"github.com/bundlekit/bundle/internal/testtool"
	"github.com/bundlekit/bundle/templates/text"
)

// printSRCINFO runs makepkg --printsrcinfo on the PKGBUILD in a folder of
// its own. makepkg refuses to run as root, so as root it runs as nobody.
func printSRCINFO(t *testing.T, pkgbuild []byte) string {
	t.Helper()
	// Not t.TempDir(): its parent is private, and nobody must reach it.
	dir, err := os.MkdirTemp("", "aur-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "PKGBUILD"), pkgbuild, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("makepkg", "--printsrcinfo")
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("nobody"); err != nil {
			testtool.Missing(t, "running as root without a nobody user to run makepkg as")
		}
		testtool.Need(t, "util-linux", "runuser")
		if err := os.Chmod(dir, 0o777); err != nil {
			t.Fatal(err)
		}
		cmd = exec.Command("runuser", "-u", "nobody", "--", "makepkg", "--printsrcinfo")
	}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("makepkg --printsrcinfo: %v\n%s\n%s", err, out, pkgbuild)
	}
	return string(out)
}

// sourced is what bash makes of the PKGBUILD's variables.
func sourced(t *testing.T, pkgbuild []byte) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "PKGBUILD")
	if err := os.WriteFile(path, pkgbuild, 0o644); err != nil {
		t.Fatal(err)
	}
	script := `source "$1"; printf '%s\n' "$pkgname" "$pkgver" "$pkgdesc" "$url" "${license[0]}" "${source_x86_64[0]}" "${sha256sums_x86_64[0]}"`
	out, err := exec.Command("bash", "-c", script, "bash", path).Output()
	if err != nil {
		t.Fatalf("source the PKGBUILD: %v\n%s", err, pkgbuild)
	}
	keys := []string{"pkgname", "pkgver", "pkgdesc", "url", "license", "source_x86_64", "sha256sums_x86_64"}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	m := map[string]string{}
	for i, k := range keys {
		if i < len(lines) {
			m[k] = lines[i]
		}
	}
	return m
}

// TestPackage checks the PKGBUILD with bash and makepkg: the .SRCINFO
// bundle writes is the one makepkg prints, and hostile text stays text.
func TestPackage(t *testing.T) {
	testtool.Need(t, "makepkg", "makepkg")
	for _, marker := range []string{"", filepath.Join(t.TempDir(), "pwned")} {
		c := pkgmgrtest.Config(marker)
		in := pkgmgrtest.Input(t, c, "1.2.3-rc.1", pkgmgrtest.Artifacts())
		files, err := Manager{}.Write(in)
		if err != nil || len(files) != 2 || files[0].Name != "hello-bin.PKGBUILD" || files[1].Name != "hello-bin.SRCINFO" {
			t.Fatalf("Write: %+v, %v", files, err)
		}
		pkgbuild, srcinfo := files[0].Data, files[1].Data
		if out, err := exec.Command("bash", "-n", "-c", string(pkgbuild)).CombinedOutput(); err != nil {
			t.Fatalf("bash -n: %v\n%s", err, out)
		}
		if got := printSRCINFO(t, pkgbuild); got != string(srcinfo) {
			t.Errorf(".SRCINFO differs from makepkg --printsrcinfo:\n--- makepkg\n%s\n--- bundle\n%s", got, srcinfo)
		}
		if marker == "" {
			pkgmgrtest.Golden(t, "hello-bin.PKGBUILD", pkgbuild)
			pkgmgrtest.Golden(t, "hello-bin.SRCINFO", srcinfo)
		}
		v := sourced(t, pkgbuild)
		a := pkgmgrtest.Artifact("hello_1.2.3_linux_amd64.tar.gz", "linux", "amd64", "tar.gz")
		want := map[string]string{"pkgname": "hello-bin", "pkgver": "1.2.3rc1", "pkgdesc": text.Synopsis(c.Description),
			"url": c.Homepage, "license": text.Line(c.License), "sha256sums_x86_64": a.SHA256,
			"source_x86_64": "hello-bin-1.2.3rc1-x86_64.tar.gz::" + in.Base + a.Path}
		for k, w := range want {
			if v[k] != w {
				t.Errorf("%s = %q, want %q", k, v[k], w)
			}
		}
		if marker != "" {
			if _, err := os.Stat(marker); err == nil {
				t.Errorf("sourcing the PKGBUILD ran a command from bundle.yaml's text")
			}
		}
	}
}

func TestPkgver(t *testing.T) {
	for in, want := range map[string]string{"1.2.3": "1.2.3", "1.2.3-rc.1": "1.2.3rc1", "1.2.3-beta-2": "1.2.3beta2",
		"1.2.3+build.7": "1.2.3", "1.2.3-1": "1.2.3pre1", "1.2.3-rc.1+b.2": "1.2.3rc1"} {
		if got := Pkgver(semver.MustParse(in)); got != want {
			t.Errorf("Pkgver(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestPkgverOrder: pacman's vercmp orders the versions as semver does.
func TestPkgverOrder(t *testing.T) {
	testtool.Need(t, "pacman-package-manager", "vercmp")
	order := []string{"1.2.2", "1.2.3-alpha.1", "1.2.3-rc.1", "1.2.3-rc.2", "1.2.3", "1.2.4"}
	for i := 1; i < len(order); i++ {
		a, b := Pkgver(semver.MustParse(order[i-1])), Pkgver(semver.MustParse(order[i]))
		out, err := exec.Command("vercmp", a, b).Output()
		if err != nil || strings.TrimSpace(string(out)) != "-1" {
			t.Errorf("vercmp %s %s = %s (%v), want -1", a, b, out, err)
		}
	}
}

func TestOpt(t *testing.T) {
	c := pkgmgrtest.Config("")
	c.Files = []config.File{{Src: "LICENSE"}}
	files, err := Manager{}.Write(pkgmgrtest.Input(t, c, "1.2.3", pkgmgrtest.Artifacts()))
	if err != nil || !strings.Contains(string(files[0].Data), `ln -s /opt/'hello-bin'/'hello' "$pkgdir"/usr/bin/'hello'`) {
		t.Errorf("an app with files is not installed under /opt:\n%s", files[0].Data)
	}
}

func TestMissing(t *testing.T) {
	if _, err := (Manager{}).Write(pkgmgrtest.Input(t, pkgmgrtest.Config(""), "1.2.3", pkgmgrtest.Artifacts()[:9])); !errors.Is(err, pkgmgr.ErrNoArtifacts) {
		t.Errorf("Write without Linux tar.gz: %v", err)
	}
}
