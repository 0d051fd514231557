package targz

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

// TestPackage: GNU tar lists the app under a folder named after the
// artifact, owned by root without user names, with the executable bit and
// the build's time, and two runs give the same bytes.
func TestPackage(t *testing.T) {
	app := t.TempDir()
	os.WriteFile(filepath.Join(app, "hello"), []byte("#!/bin/sh\necho hi\n"), 0o755)
	os.MkdirAll(filepath.Join(app, "share", "doc"), 0o755)
	os.WriteFile(filepath.Join(app, "share", "doc", "README"), []byte("read me\n"), 0o600)
	in := packager.Input{AppDir: app, Stem: "hello_1.0.0_linux_amd64", MTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f := Format{}
	if f.FileName(in) != "hello_1.0.0_linux_amd64.tar.gz" || f.Supports("windows") || !f.Supports("darwin") || len(f.Tools()) != 0 {
		t.Fatalf("format facts: %s %v", f.FileName(in), f.Supports("windows"))
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
	out, err := exec.Command("tar", "--utc", "-tvzf", path).CombinedOutput()
	if err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	for _, want := range []string{
		"-rwxr-xr-x 0/0              18 2026-01-01 00:00 hello_1.0.0_linux_amd64/hello",
		"-rw-r--r-- 0/0               8 2026-01-01 00:00 hello_1.0.0_linux_amd64/share/doc/README",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("tar -tv lacks %q:\n%s", want, out)
		}
	}
}
