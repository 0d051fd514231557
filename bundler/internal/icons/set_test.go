package icons

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestSetCaches(t *testing.T) {
	cache := t.TempDir()
	s := NewSet(projectIcon, cache)
	first, err := s.ICO()
	if err != nil {
		t.Fatal(err)
	}
	again, _ := s.ICO()
	if !bytes.Equal(first, again) {
		t.Fatal("a set made its ICO twice differently")
	}
	img, _ := Load(projectIcon)
	direct, _ := ICO(img, ICOSizes)
	if !bytes.Equal(first, direct) {
		t.Fatal("the set's ICO differs from ICO()")
	}
	files, _ := filepath.Glob(filepath.Join(cache, "*-"+cacheVersion+".ico"))
	if len(files) != 1 {
		t.Fatalf("cache holds %v", files)
	}
	// A new set (another build) reads the cached file instead of encoding.
	os.WriteFile(files[0], []byte("cached"), 0o644)
	if got, _ := NewSet(projectIcon, cache).ICO(); string(got) != "cached" {
		t.Errorf("a new set did not read the cache: %d bytes", len(got))
	}
	// Without a cache folder nothing is written anywhere.
	if _, err := NewSet(projectIcon, "").PNG(48); err != nil {
		t.Fatal(err)
	}
	if _, err := NewSet(filepath.Join(t.TempDir(), "missing.png"), cache).ICNS(); err == nil {
		t.Error("a missing icon gave no error")
	}
}
