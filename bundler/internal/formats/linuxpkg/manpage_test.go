package linuxpkg

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/platform"
)

func TestManPage(t *testing.T) {
	for rel, want := range map[string]string{
		"share/man/man1/fzf.1":         "/usr/share/man/man1/fzf.1.gz",
		"share/man/man1/fzf.1.gz":      "/usr/share/man/man1/fzf.1.gz",
		"share/man/man5/fzf.conf.5":    "/usr/share/man/man5/fzf.conf.5.gz",
		"share/man/man3/Foo::Bar.3pm":  "/usr/share/man/man3/Foo::Bar.3pm.gz",
		"share/man/man1/fzf.5":         "", // section and folder disagree
		"man/man1/fzf.1":               "", // not under share/
		"share/man/man1/sub/fzf.1":     "",
		"share/man/man1/README":        "",
		"opt/share/man/man1/fzf.1":     "",
		"share/man/man1/fzf.1.bz2":     "",
		"share/man/man1/fzf.1.gz.orig": "",
	} {
		got, ok := manPage(rel)
		if got != want || ok != (want != "") {
			t.Errorf("manPage(%q) = %q %v, want %q", rel, got, ok, want)
		}
	}
}

func TestGzipTo(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "fzf.1")
	page := []byte(".TH FZF 1\n")
	if err := os.WriteFile(src, page, 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := gzipTo(src, filepath.Join(dir, "a.gz"))
	if err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(a)
	zr, err := gzip.NewReader(bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(zr)
	if !bytes.Equal(got, page) || zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("content %q name %q time %v", got, zr.Name, zr.ModTime)
	}
	// Compressed input is kept as it is, not compressed twice.
	b, err := gzipTo(a, filepath.Join(dir, "b.gz"))
	if err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(b)
	if !bytes.Equal(first, second) {
		t.Error("a gzip page was compressed again")
	}
}

func TestHasManPage(t *testing.T) {
	pages := []string{"/usr/share/man/man1/fzf-tmux.1.gz", "/usr/share/man/man5/fzf.conf.5.gz"}
	if hasManPage(pages, "fzf") {
		t.Error("fzf-tmux.1 and fzf.conf.5 are not fzf's page")
	}
	if !hasManPage(append(pages, "/usr/share/man/man1/fzf.1.gz"), "fzf") {
		t.Error("fzf.1 is fzf's page")
	}
}

func TestCheckPlaceholderDescription(t *testing.T) {
	for desc, refused := range map[string]bool{
		"TODO: one line saying what the program does": true,
		"\ntodo later\nmore":                          true,
		"Fuzzy finder\nTODO: more":                    false,
		"Fuzzy finder":                                false,
		"":                                            false,
	} {
		err := Deb.Check(config.Config{Name: "Fzf", Description: desc}, platform.Target{OS: "linux", Arch: "amd64"}, nil)
		if (err != nil) != refused {
			t.Errorf("%q: %v", desc, err)
		}
		if err != nil && (exitcode.Of(err) != 2 || !strings.Contains(err.Error(), "description:")) {
			t.Errorf("%q: exit %d %v", desc, exitcode.Of(err), err)
		}
	}
}
