package artifact

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// TestCleanNeverEntersFolders lists in a dist's manifest names that are
// not files bundle writes: --clean, and a build without it, refuse before
// removing anything, and leave every file where it was.
func TestCleanNeverEntersFolders(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string) // makes path, a name dist's manifest or journal owns
		want  string                          // what the refusal says after the name
	}{
		{"a folder", func(t *testing.T, path string) {
			put(t, filepath.Join(path, "user-file"), "keep me")
		}, ", which bundle never writes"},
		{"a FIFO", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o644); err != nil {
				t.Fatal(err)
			}
		}, ", which is not a regular file"},
		{"a folder mounted over a name", func(t *testing.T, path string) {
			src := t.TempDir()
			put(t, filepath.Join(src, "user-file"), "keep me")
			os.Mkdir(path, 0o755)
			bindMount(t, src, path)
		}, ", which bundle never writes"},
		{"a file mounted over a name", func(t *testing.T, path string) {
			src := filepath.Join(t.TempDir(), "user-file")
			put(t, src, "keep me")
			put(t, path, "")
			bindMount(t, src, path)
		}, ", which is mounted from elsewhere"},
	}
	for _, tt := range tests {
		for _, clean := range []bool{true, false} {
			t.Run(tt.name+map[bool]string{true: " --clean", false: ""}[clean], func(t *testing.T) {
				s := newSandbox(t)
				dist := filepath.Join(s.base, "dist")
				putManifest(t, dist, "1.0.0", "app.tar.gz", "app.dir")
				put(t, filepath.Join(dist, "app.tar.gz"), "old")
				put(t, filepath.Join(dist, ".app.zip.1"+TempSuffix), "half")
				// --clean removes every name bundle owns; a build of the
				// same version only its unfinished writes and manifests.
				name := "app.dir"
				if !clean {
					name = ".app.dir.2" + TempSuffix
				}
				tt.setup(t, filepath.Join(dist, name))
				before := tree(t, s.base)
				want := name + tt.want
				_, j, err := PrepareDist(context.Background(), dist, DistOptions{Name: "App", Version: "1.0.0", Clean: clean, Project: s.project})
				if err == nil {
					j.Close()
					t.Fatal("no refusal")
				}
				if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), want) {
					t.Errorf("got %v (exit %d), want exit 2 saying %q", err, exitcode.Of(err), want)
				}
				if after := tree(t, s.base); after != before {
					t.Errorf("the refusal changed files:\nbefore:\n%s\nafter:\n%s", before, after)
				}
			})
		}
	}
}

// bindMount mounts src over dst until the test ends. Mounting needs root:
// elsewhere the test is skipped, as no tool can stand in for it.
func bindMount(t *testing.T, src, dst string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a bind mount needs root")
	}
	if err := syscall.Mount(src, dst, "", syscall.MS_BIND, ""); err != nil {
		t.Skipf("bind mount: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dst, 0); err != nil {
			t.Errorf("unmount %s: %v", dst, err)
		}
	})
}
