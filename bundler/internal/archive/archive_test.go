package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// tree makes a small app folder: an executable, a data file with odd
// permissions, a nested folder and a relative symlink.
func tree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(root, "app"), []byte("#!/bin/sh\necho hi\n"), 0o700))
	must(os.WriteFile(filepath.Join(root, "data.txt"), []byte("data"), 0o600))
	must(os.MkdirAll(filepath.Join(root, "sub", "deeper"), 0o700))
	must(os.WriteFile(filepath.Join(root, "sub", "deeper", "z.txt"), []byte("z"), 0o666))
	must(os.Symlink("sub/deeper/z.txt", filepath.Join(root, "link")))
	return root
}

var mtime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestTarGz(t *testing.T) {
	root := tree(t)
	var a, b bytes.Buffer
	if err := TarGz(&a, root, "pkg", mtime); err != nil {
		t.Fatal(err)
	}
	// Different file times on disk must not matter.
	os.Chtimes(filepath.Join(root, "app"), time.Now(), time.Now())
	if err := TarGz(&b, root, "pkg", mtime); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two archives of the same tree differ")
	}
	gz, err := gzip.NewReader(&a)
	if err != nil {
		t.Fatal(err)
	}
	if gz.Name != "" || !gz.ModTime.Equal(mtime) {
		t.Errorf("gzip header name %q time %v", gz.Name, gz.ModTime)
	}
	tr := tar.NewReader(gz)
	want := []struct {
		name string
		mode int64
		typ  byte
	}{
		{"pkg/", 0o755, tar.TypeDir},
		{"pkg/app", 0o755, tar.TypeReg},
		{"pkg/data.txt", 0o644, tar.TypeReg},
		{"pkg/link", 0o777, tar.TypeSymlink},
		{"pkg/sub/", 0o755, tar.TypeDir},
		{"pkg/sub/deeper/", 0o755, tar.TypeDir},
		{"pkg/sub/deeper/z.txt", 0o644, tar.TypeReg},
	}
	for _, w := range want {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("want %s: %v", w.name, err)
		}
		if h.Name != w.name || h.Mode != w.mode || h.Typeflag != w.typ {
			t.Errorf("entry %s mode %o type %c, want %s %o %c", h.Name, h.Mode, h.Typeflag, w.name, w.mode, w.typ)
		}
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || !h.ModTime.Equal(mtime) {
			t.Errorf("%s: owner %d:%d %q %q time %v", h.Name, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime)
		}
		if w.typ == tar.TypeSymlink && h.Linkname != "sub/deeper/z.txt" {
			t.Errorf("link target %q", h.Linkname)
		}
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("extra entries: %v", err)
	}
}

func TestZip(t *testing.T) {
	root := tree(t)
	var a, b bytes.Buffer
	if err := Zip(&a, root, "pkg", mtime); err != nil {
		t.Fatal(err)
	}
	if err := Zip(&b, root, "pkg", mtime); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two archives of the same tree differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	modes := map[string]fs.FileMode{}
	for _, f := range zr.File {
		modes[f.Name] = f.Mode()
		if !f.Modified.Equal(mtime) {
			t.Errorf("%s modified %v", f.Name, f.Modified)
		}
	}
	want := map[string]fs.FileMode{
		"pkg/": fs.ModeDir | 0o755, "pkg/app": 0o755, "pkg/data.txt": 0o644,
		"pkg/link": fs.ModeSymlink | 0o777, "pkg/sub/": fs.ModeDir | 0o755,
		"pkg/sub/deeper/": fs.ModeDir | 0o755, "pkg/sub/deeper/z.txt": 0o644,
	}
	for name, m := range want {
		if modes[name] != m {
			t.Errorf("%s mode %v, want %v", name, modes[name], m)
		}
	}
	if len(modes) != len(want) {
		t.Errorf("entries %v", modes)
	}
}

func TestZipClampsOldTimes(t *testing.T) {
	var b bytes.Buffer
	if err := Zip(&b, tree(t), "", time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	zr, _ := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if !zr.File[0].Modified.Equal(zipEpoch) {
		t.Errorf("time %v, want 1980-01-01", zr.File[0].Modified)
	}
	if zr.File[0].Name != "app" {
		t.Errorf("without a prefix the first entry is %q", zr.File[0].Name)
	}
}
