package zip

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

// TestPackage: unzip tests and lists the app under a folder named after
// the artifact, with the executable bit, and two runs give the same bytes.
func TestPackage(t *testing.T) {
	app := t.TempDir()
	os.WriteFile(filepath.Join(app, "hello.exe"), []byte("MZ not really"), 0o755)
	os.WriteFile(filepath.Join(app, "LICENSE"), []byte("MIT\n"), 0o644)
	in := packager.Input{AppDir: app, Stem: "hello_1.0.0_windows_amd64", MTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f := Format{}
	if f.FileName(in) != "hello_1.0.0_windows_amd64.zip" || !f.Supports("linux") || len(f.Tools()) != 0 {
		t.Fatalf("format facts: %s", f.FileName(in))
	}
	var first, second bytes.Buffer
	if err := packagertest.Into(context.Background(), t, f, in, &first); err != nil {
		t.Fatal(err)
	}
	packagertest.Into(context.Background(), t, f, in, &second)
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Error("two runs differ")
	}
	path := filepath.Join(t.TempDir(), f.FileName(in))
	os.WriteFile(path, first.Bytes(), 0o644)
	if out, err := exec.Command("unzip", "-tq", path).CombinedOutput(); err != nil {
		t.Fatalf("unzip -t: %v\n%s", err, out)
	}
	out, err := exec.Command("zipinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("zipinfo: %v\n%s", err, out)
	}
	for _, want := range []string{"-rwxr-xr-x", "hello_1.0.0_windows_amd64/hello.exe", "hello_1.0.0_windows_amd64/LICENSE", "26-Jan-01 00:00"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("zipinfo lacks %q:\n%s", want, out)
		}
	}
}
