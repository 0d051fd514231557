package formats_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/formats/linuxpkg"
	"github.com/bundlekit/bundle/bundler/internal/formats/msi"
	"github.com/bundlekit/bundle/bundler/internal/formats/nsis"
	"github.com/bundlekit/bundle/bundler/internal/formats/targz"
	"github.com/bundlekit/bundle/bundler/internal/formats/zip"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/packager/packagertest"
	"github.com/bundlekit/bundle/internal/testtool"
)

// TestGlobCharactersAreLiteral packages files whose names are glob
// patterns beside files those patterns would match, and checks that each
// package holds every file once, under its own name, with its own content.
func TestGlobCharactersAreLiteral(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "dpkg rpm2cpio tar zstd 7zip nsis wixl msitools",
		"dpkg-deb", "rpm2cpio", "tar", "zstd", "7zz", "makensis", "wixl", "msiextract")
	decoys := []string{"a", "b", "ab", "axb", "x", "y", "x.txt"}
	linux := append([]string{"*", "?", "[ab]", "a*b", "{x,y}", `\`, "a b", "*.txt", "[!a]"}, decoys...)
	// Windows file names cannot hold * ? or \; the installers refuse them.
	windows := append([]string{"[ab]", "{x,y}", "a b", "[!a]", "$x", "a[1].txt"}, decoys...)
	extract := map[string]string{
		"deb": `dpkg-deb -x "$1" .`,
		// rpm2cpio 4.18 exits 1 after writing the whole archive, and 7zz
		// warns (exit 1) about the absolute paths it strips; what matters
		// is what comes out, which the test checks.
		"rpm":       `rpm2cpio "$1" >../p.cpio; 7zz x -bd -y -tcpio ../p.cpio >/dev/null; [ $? -le 1 ]`,
		"apk":       `tar -xzf "$1" --ignore-zeros 2>/dev/null`,
		"archlinux": `tar --zstd -xf "$1"`,
		"tar.gz":    `tar -xzf "$1"`,
		"zip":       `7zz x -bd -y "$1" >/dev/null`,
		"nsis":      `7zz x -bd -y "$1" >/dev/null`,
		"msi":       `msiextract "$1" >/dev/null`,
	}
	for _, tc := range []struct {
		f     packager.Format
		goos  string
		names []string
	}{
		{linuxpkg.Deb, "linux", linux}, {linuxpkg.RPM, "linux", linux}, {linuxpkg.APK, "linux", linux},
		{linuxpkg.ArchLinux, "linux", linux}, {targz.Format{}, "linux", linux}, {zip.Format{}, "linux", linux},
		{nsis.Format{}, "windows", windows}, {msi.Format{}, "windows", windows},
	} {
		t.Run(tc.f.Name(), func(t *testing.T) {
			t.Parallel()
			c := baseConfig()
			c.Files = []config.File{{Src: "docs", Dst: "docs"}}
			in := input(t, c, tc.goos)
			want := map[string]string{}
			for _, n := range tc.names {
				want[n] = "content of " + n
				if err := os.WriteFile(filepath.Join(in.AppDir, n), []byte(want[n]), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var b bytes.Buffer
			if err := packagertest.Into(context.Background(), t, tc.f, in, &b); err != nil {
				t.Fatal(err)
			}
			pkg := writeTemp(t, "pkg", b.Bytes())
			dir := t.TempDir()
			cmd := exec.Command("sh", "-c", extract[tc.f.Name()], "sh", pkg)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", extract[tc.f.Name()], err, out)
			}
			found := map[string]int{}
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				name := filepath.Base(p)
				w, ok := want[name]
				if !ok {
					return nil
				}
				found[name]++
				if data, _ := os.ReadFile(p); string(data) != w {
					t.Errorf("%s holds %q, want %q", name, data, w)
				}
				return nil
			})
			for _, n := range tc.names {
				if found[n] != 1 {
					t.Errorf("%q is in the package %d times, want once", n, found[n])
				}
			}
		})
	}
}
