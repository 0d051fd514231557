package linktree

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMirror: every file of the tree, and a single file, becomes the same
// file (a hard link) under dst, folders included.
func TestMirror(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	files := map[string]string{"a": "1", "sub/b": "2", "sub/deeper/c": "3"}
	for rel, text := range files {
		p := filepath.Join(src, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(src, "empty"), 0o755)
	if err := Mirror(src, filepath.Join(dst, "tree")); err != nil {
		t.Fatal(err)
	}
	if err := Mirror(filepath.Join(src, "a"), filepath.Join(dst, "single")); err != nil {
		t.Fatal(err)
	}
	check := func(from, to string) {
		a, err1 := os.Stat(from)
		b, err2 := os.Stat(to)
		if err1 != nil || err2 != nil || !os.SameFile(a, b) {
			t.Errorf("%s is not %s: %v %v", to, from, err1, err2)
		}
	}
	for rel := range files {
		check(filepath.Join(src, rel), filepath.Join(dst, "tree", rel))
	}
	check(filepath.Join(src, "a"), filepath.Join(dst, "single"))
	if info, err := os.Stat(filepath.Join(dst, "tree", "empty")); err != nil || !info.IsDir() {
		t.Errorf("empty folder: %v", err)
	}
}
