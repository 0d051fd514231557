package delta

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rtdelta "github.com/bundlekit/bundle/runtimehooks/update/delta"
)

// program is made-up executable-like bytes: instructions, one in eight
// of which refers to a place in the program. A version with 8 bytes inserted at insertAt
// moves every place after it, and so changes every address that refers
// to one, as a rebuilt program's do.
func program(seed int64, size, insertAt int) []byte {
	rng := rand.New(rand.NewSource(seed))
	b := make([]byte, 0, size+64)
	for len(b) < size {
		if len(b) >= insertAt && len(b) < insertAt+8 {
			b = append(b, "INSERTED"...)
		}
		op, target := byte(rng.Intn(256)), rng.Intn(size)
		if rng.Intn(8) != 0 {
			b = append(b, 0x48, 0x89, op, byte(target), byte(target>>8), 0x90, 0x90, 0xc3)
			continue
		}
		if target >= insertAt {
			target += 8
		}
		addr := uint32(0x400000 + target)
		b = append(b, 0xe8, op, byte(addr), byte(addr>>8), byte(addr>>16), byte(addr>>24), 0x90, 0xc3)
	}
	return b
}

func TestDiffPatch(t *testing.T) {
	old := program(1, 1<<20, 1<<30)
	moved := program(1, 1<<20, 1000)
	cases := []struct {
		name string
		new  []byte
		max  int // the most bytes the patch may take
	}{
		{"identical", old, 2 << 10},
		// Against a tenth of the file compressed, which is what storing
		// it whole would cost.
		{"moved code", moved, flateSize(moved) / 10},
		{"from nothing", []byte("a file that is all new"), 256},
		{"to nothing", nil, 128},
		{"unrelated", program(2, 1<<16, 1<<30), 1 << 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p bytes.Buffer
			if err := Diff(context.Background(), old, c.new, &p); err != nil {
				t.Fatal(err)
			}
			if p.Len() > c.max {
				t.Errorf("patch of %d bytes, want at most %d", p.Len(), c.max)
			}
			var out bytes.Buffer
			if err := rtdelta.Patch(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p.Bytes()), int64(p.Len()), &out); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), c.new) {
				t.Fatalf("patched: %d bytes, not the new %d", out.Len(), len(c.new))
			}
		})
	}
}

// TestPatchRefusesDamage: a patch with a byte changed anywhere fails, or
// makes at most the size it declares (the tree's hash check then refuses
// other bytes); it never panics or runs away. A truncated patch fails.
func TestPatchRefusesDamage(t *testing.T) {
	old, target := program(1, 1<<16, 1<<30), program(1, 1<<16, 100)
	var p bytes.Buffer
	if err := Diff(context.Background(), old, target, &p); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for i := 0; i < p.Len(); i += max(1, p.Len()/300) {
		bad := bytes.Clone(p.Bytes())
		bad[i] ^= 0x5a
		var out bytes.Buffer
		err := rtdelta.Patch(bytes.NewReader(old), int64(len(old)), bytes.NewReader(bad), int64(len(bad)), &out)
		switch {
		case err != nil:
			failed++
		case i < len(rtdelta.Magic)+8 && out.Len() == len(target):
			t.Errorf("a patch damaged in its header at %d made the whole file", i)
		case out.Len() > len(target) && i >= len(rtdelta.Magic)+8:
			t.Errorf("a patch damaged at %d made %d bytes, more than the %d it declares", i, out.Len(), len(target))
		}
	}
	if failed == 0 {
		t.Error("no damaged patch failed")
	}
	if err := rtdelta.Patch(bytes.NewReader(old), int64(len(old)), bytes.NewReader(p.Bytes()[:p.Len()-1]), int64(p.Len()-1), &bytes.Buffer{}); err == nil {
		t.Error("a truncated patch applied")
	}
}

func write(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// versions makes an old and a new version's folders: a program that
// changed, a file kept, one removed, one added, a link, an empty folder.
func versions(t *testing.T) (oldDir, newDir string) {
	oldDir, newDir = t.TempDir(), t.TempDir()
	write(t, filepath.Join(oldDir, "app"), program(1, 1<<18, 1<<30), 0o755)
	write(t, filepath.Join(newDir, "app"), program(1, 1<<18, 5000), 0o755)
	for _, d := range []string{oldDir, newDir} {
		write(t, filepath.Join(d, "LICENSE"), []byte("MIT\n"), 0o644)
		write(t, filepath.Join(d, "share", "data.bin"), program(3, 1<<12, 1<<30), 0o644)
	}
	write(t, filepath.Join(oldDir, "gone.txt"), []byte("old only\n"), 0o644)
	write(t, filepath.Join(newDir, "docs", "NEW.md"), []byte("# new\n"), 0o600)
	if err := os.Symlink("docs/NEW.md", filepath.Join(newDir, "README")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(newDir, "plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	return oldDir, newDir
}

// sameTree fails unless a and b hold the same files, modes, links and folders.
func sameTree(t *testing.T, a, b string) {
	t.Helper()
	list := func(root string) map[string]string {
		m := map[string]string{}
		filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, p)
			switch {
			case info.Mode()&os.ModeSymlink != 0:
				target, _ := os.Readlink(p)
				m[rel] = "link " + target
			case info.IsDir():
				m[rel] = "dir"
			default:
				data, _ := os.ReadFile(p)
				m[rel] = info.Mode().Perm().String() + " " + sum(data)
			}
			return nil
		})
		return m
	}
	got, want := list(a), list(b)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s should not be there", k)
		}
	}
}

func TestTree(t *testing.T) {
	oldDir, newDir := versions(t)
	deltaPath := filepath.Join(t.TempDir(), "app.delta")
	var buf bytes.Buffer
	if err := Write(context.Background(), &buf, oldDir, newDir); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := Write(context.Background(), &again, oldDir, newDir); err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Errorf("a second delta of the same versions differs (%v)", err)
	}
	if err := os.WriteFile(deltaPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	made := filepath.Join(t.TempDir(), "new")
	if err := rtdelta.ApplyTree(deltaPath, oldDir, made); err != nil {
		t.Fatal(err)
	}
	sameTree(t, made, newDir)
	if buf.Len() > 32<<10 {
		t.Errorf("delta of %d bytes for a 256 KiB program with code moved, want at most 32 KiB", buf.Len())
	}

	// An installed file someone changed: the caller downloads the whole
	// release.
	write(t, filepath.Join(oldDir, "app"), append(program(1, 1<<18, 1<<30), '!'), 0o755)
	err := rtdelta.ApplyTree(deltaPath, oldDir, filepath.Join(t.TempDir(), "new"))
	if !errors.Is(err, rtdelta.ErrOldChanged) {
		t.Errorf("with a changed installed file: %v, want ErrOldChanged", err)
	}
}

// TestTreeRefuses: a delta whose manifest names a path or link outside
// the folder, or whose file does not hash as listed, makes nothing
// outside newDir and fails.
func TestTreeRefuses(t *testing.T) {
	oldDir := t.TempDir()
	write(t, filepath.Join(oldDir, "app"), []byte("old"), 0o755)
	hashOf := sum([]byte("new"))
	cases := map[string]string{
		"climbs out":     `{"format":1,"files":[{"path":"../escape","sha256":"` + hashOf + `","data":"d/0"}]}`,
		"absolute":       `{"format":1,"files":[{"path":"/tmp/escape","sha256":"` + hashOf + `","data":"d/0"}]}`,
		"link out":       `{"format":1,"files":[{"path":"l","link":"../../etc/passwd"}]}`,
		"old climbs out": `{"format":1,"files":[{"path":"app","sha256":"` + hashOf + `","keep":"../app","old":"` + hashOf + `"}]}`,
		"wrong hash":     `{"format":1,"files":[{"path":"app","sha256":"` + sum([]byte("other")) + `","size":3,"data":"d/0"}]}`,
		"other format":   `{"format":2,"files":[]}`,
		"repeated path":  `{"format":1,"files":[{"path":"a","sha256":"` + hashOf + `","data":"d/0"},{"path":"a","sha256":"` + hashOf + `","data":"d/0"}]}`,
	}
	for name, manifest := range cases {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			gz := gzip.NewWriter(&buf)
			tw := tar.NewWriter(gz)
			for _, e := range []struct{ name, data string }{{rtdelta.ManifestName, manifest}, {"d/0", "new"}} {
				tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data))})
				tw.Write([]byte(e.data))
			}
			tw.Close()
			gz.Close()
			dir := t.TempDir()
			deltaPath := filepath.Join(dir, "bad.delta")
			os.WriteFile(deltaPath, buf.Bytes(), 0o644)
			err := rtdelta.ApplyTree(deltaPath, oldDir, filepath.Join(dir, "new", "version"))
			if err == nil {
				t.Fatal("applied")
			}
			if _, err := os.Lstat(filepath.Join(dir, "new", "escape")); err == nil {
				t.Error("wrote outside the version's folder")
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of several lines: %v", err)
			}
		})
	}
}

// TestDiffStops: a cancelled context stops a diff with its error.
func TestDiffStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Diff(ctx, program(1, 1<<20, 1<<30), program(9, 1<<20, 1<<30), io.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// TestSuffixArray: the array read back from index/suffixarray holds every
// suffix in order, and the check refuses one read wrong.
func TestSuffixArray(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("a"), []byte("banana"), program(7, 1<<16, 1<<30)} {
		sa, err := suffixArray(data)
		if err != nil {
			t.Fatalf("%d bytes: %v", len(data), err)
		}
		if len(sa) != len(data) {
			t.Fatalf("%d entries for %d bytes", len(sa), len(data))
		}
		if len(sa) < 2 {
			continue
		}
		swapped := slices.Clone(sa)
		swapped[0], swapped[1] = swapped[1], swapped[0]
		if checkSorted(data, swapped) == nil {
			t.Errorf("%d bytes: two suffixes swapped pass the check", len(data))
		}
		repeated := slices.Clone(sa)
		repeated[1] = repeated[0]
		if checkSorted(data, repeated) == nil {
			t.Errorf("%d bytes: a repeated position passes the check", len(data))
		}
	}
}
