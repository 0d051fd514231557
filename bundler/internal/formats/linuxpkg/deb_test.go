package linuxpkg

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/goreleaser/nfpm/v2"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/packager/packagertest"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/internal/testtool"
)

// debInput is an app folder with an executable, a license, a manual page,
// an odd-sized file and an empty one, packaged as a GUI app (desktop entry,
// changelog).
func debInput(t *testing.T) packager.Input {
	t.Helper()
	app := t.TempDir()
	for name, data := range map[string]string{
		"hello":                  "\x7fELF" + strings.Repeat("x", 4097),
		"LICENSE":                "MIT License\n\nPermission is hereby granted.\n",
		"share/man/man1/hello.1": ".TH HELLO 1\n",
		"data/odd.bin":           "abc",
		"data/empty":             "",
		"data/sub/$weird {n}":    strings.Repeat("y", 70_001),
	} {
		p := filepath.Join(app, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if name == "hello" {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
	}
	return packager.Input{
		Config: config.Config{
			Name: "Hello", ID: "com.example.hello", Binary: "hello", Version: "1.2.3",
			Description: "Says hello\nto everyone.", Maintainer: "Ex <ex@example.com>", License: "MIT",
			Homepage: "https://example.com", GUI: true,
			Files: []config.File{{Src: "LICENSE", Dst: "LICENSE"}},
			Linux: config.Linux{PackageName: "hello", Categories: []string{"Utility"}},
		},
		Dir:     t.TempDir(),
		Version: semver.MustParse("1.2.3"),
		Target:  platform.Target{OS: "linux", Arch: "amd64"},
		AppDir:  app,
		Exe:     "hello",
		Stem:    "hello_1.2.3_linux_amd64",
		MTime:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		WorkDir: t.TempDir(),
	}
}

// TestDebStreamedIsNfpms: the deb written with the files streamed is, byte
// for byte, the one nfpm writes in memory.
func TestDebStreamedIsNfpms(t *testing.T) {
	inputs := map[string]func(t *testing.T) packager.Input{
		"unsigned": debInput,
		"signed with sign.gpg": func(t *testing.T) packager.Input {
			testtool.Need(t, "gnupg", "gpg")
			h := newGPGHome(t)
			return signedInput(t, h.genKey(t, "rsa2048", debInput(t).MTime.AddDate(-1, 0, 0), "never", testPassphrase), testPassphrase)
		},
	}
	for name, input := range inputs {
		t.Run(name, func(t *testing.T) {
			in := input(t)
			var streamed bytes.Buffer
			if err := packagertest.Into(context.Background(), t, Deb, in, &streamed); err != nil {
				t.Fatal(err)
			}

			in.WorkDir = t.TempDir()
			info, err := describe(in, Deb)
			if err != nil {
				t.Fatal(err)
			}
			if err := nfpm.PrepareForPackager(info, "deb"); err != nil {
				t.Fatal(err)
			}
			p, err := nfpm.Get("deb")
			if err != nil {
				t.Fatal(err)
			}
			var whole bytes.Buffer
			if err := p.Package(info, &whole); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(streamed.Bytes(), whole.Bytes()) {
				t.Fatalf("streamed deb (%d bytes) differs from nfpm's (%d bytes)", streamed.Len(), whole.Len())
			}
			if !bytes.Contains(streamed.Bytes(), []byte("data.tar.gz")) || streamed.Len() < 1000 {
				t.Fatalf("not a deb: %d bytes", streamed.Len())
			}
			if signed := bytes.Contains(streamed.Bytes(), []byte("_gpgorigin")); signed != (in.Config.Sign.GPG != nil) {
				t.Errorf("the deb has a _gpgorigin member: %v", signed)
			}
		})
	}
}

// TestDebVersion: a pre-release sorts before its release in dpkg ("~"),
// and build metadata is kept.
func TestDebVersion(t *testing.T) {
	for v, want := range map[string]string{
		"1.2.3":              "hello_1.2.3-1_amd64.deb",
		"1.2.3-rc.2":         "hello_1.2.3~rc.2-1_amd64.deb",
		"1.2.3-rc.2+build.9": "hello_1.2.3~rc.2+build.9-1_amd64.deb",
		"1.2.3+build.9":      "hello_1.2.3+build.9-1_amd64.deb",
	} {
		in := debInput(t)
		in.Version = semver.MustParse(v)
		if got := Deb.FileName(in); got != want {
			t.Errorf("%s: %s, want %s", v, got, want)
		}
	}
}

func TestReadArRefusesGarbage(t *testing.T) {
	for _, b := range []string{"", "!<arch>", "!<arch>\nshort", "!<arch>\n" + strings.Repeat(" ", 48) + "999999    `\n"} {
		if _, err := readAr([]byte(b)); err == nil {
			t.Errorf("readAr(%q): no error", b)
		}
	}
}
