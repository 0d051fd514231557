package app

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/packager/packagertest"
)

// TestPackage: the zip holds <Name>.app at the top with the executable bit
// and a symbolic link kept as a link, as ditto and Finder make it.
func TestPackage(t *testing.T) {
	dir := t.TempDir()
	contents := filepath.Join(dir, "Hello.app", "Contents")
	os.MkdirAll(filepath.Join(contents, "MacOS"), 0o755)
	os.MkdirAll(filepath.Join(contents, "Resources"), 0o755)
	os.WriteFile(filepath.Join(contents, "MacOS", "hello"), []byte("\xcf\xfa\xed\xfe not really"), 0o755)
	os.WriteFile(filepath.Join(contents, "Info.plist"), []byte("<plist/>"), 0o644)
	os.Symlink("../MacOS/hello", filepath.Join(contents, "Resources", "hello"))
	in := packager.Input{AppDir: dir, Stem: "hello_1.0.0_darwin_universal", MTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f := Format{}
	if f.FileName(in) != "hello_1.0.0_darwin_universal.app.zip" || f.Supports("linux") || !f.Supports("darwin") || packager.LayoutOf(f) != packager.MacAppBundle {
		t.Fatalf("format facts: %s", f.FileName(in))
	}
	var b bytes.Buffer
	if err := packagertest.Into(context.Background(), t, f, in, &b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), f.FileName(in))
	os.WriteFile(path, b.Bytes(), 0o644)
	out, err := exec.Command("zipinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("zipinfo: %v\n%s", err, out)
	}
	for _, want := range []string{"-rwxr-xr-x", "Hello.app/Contents/MacOS/hello", "Hello.app/Contents/Info.plist", "lrwxrwxrwx"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("zipinfo lacks %q:\n%s", want, out)
		}
	}
}
