package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tarEntry is one entry of a test archive.
type tarEntry struct {
	name, link string
	kind       byte
	body       string
}

func writeTarGz(t *testing.T, entries []tarEntry) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.kind, Linkname: e.link, Mode: 0o644, Size: int64(len(e.body))}
		if e.kind != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(e.body))
	}
	tw.Close()
	gz.Close()
	path := filepath.Join(t.TempDir(), "a.tar.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestExtractRefuses: entries that would land outside the staging folder,
// through a name or through links, and entries other than files, folders
// and links, fail the unpacking; nothing is written outside it.
func TestExtractRefuses(t *testing.T) {
	cases := []struct {
		name    string
		entries []tarEntry
		want    string
	}{
		{"absolute", []tarEntry{{name: "/etc/evil", kind: tar.TypeReg, body: "x"}}, "leads out"},
		{"climbing", []tarEntry{{name: "top/../../evil", kind: tar.TypeReg, body: "x"}}, "leads out"},
		{"link up", []tarEntry{{name: "top/l", link: "../..", kind: tar.TypeSymlink}}, "climbs out"},
		{"absolute link", []tarEntry{{name: "top/l", link: "/etc", kind: tar.TypeSymlink}}, "not relative"},
		{"link chain", []tarEntry{
			{name: "top/a", link: ".", kind: tar.TypeSymlink},
			{name: "top/a/x", link: "..", kind: tar.TypeSymlink},
			{name: "top/a/x/y", link: "..", kind: tar.TypeSymlink},
			{name: "top/a/x/y/PWNED", kind: tar.TypeReg, body: "x"},
		}, "climbs out"},
		{"fifo", []tarEntry{{name: "top/f", kind: tar.TypeFifo}}, "neither a file"},
		{"hard link", []tarEntry{{name: "top/h", link: "/etc/passwd", kind: tar.TypeLink}}, "neither a file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			dst := filepath.Join(root, "work", "new")
			err := Extract(writeTarGz(t, c.entries), "tar.gz", dst)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
				if err == nil && !info.IsDir() && !strings.HasPrefix(path, dst+string(filepath.Separator)) {
					t.Errorf("written outside the staging folder: %s", path)
				}
				return nil
			})
		})
	}
}

// TestExtractBomb: an archive that unpacks to far more than its size
// fails instead of filling the disk.
func TestExtractBomb(t *testing.T) {
	src := writeTarGz(t, []tarEntry{{name: "top/zeros", kind: tar.TypeReg, body: strings.Repeat("\x00", 8<<20)}})
	if err := Extract(src, "tar.gz", filepath.Join(t.TempDir(), "new")); err == nil || !strings.Contains(err.Error(), "times its size") {
		t.Fatalf("got %v", err)
	}
}
