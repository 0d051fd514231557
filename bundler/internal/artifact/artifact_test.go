package artifact

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

func TestWriteFile(t *testing.T) {
	dist := t.TempDir()
	size, sum, err := WriteFile(dist, "a.txt", func(w io.Writer) error {
		_, err := io.WriteString(w, "hello\n")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if size != 6 || sum != "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03" {
		t.Errorf("size %d sum %s", size, sum)
	}
	if got, _ := SHA256File(dist, "a.txt"); got != sum {
		t.Errorf("SHA256File = %s", got)
	}

	_, _, err = WriteFile(dist, "b.txt", func(w io.Writer) error {
		io.WriteString(w, "partial")
		return errors.New("disk full")
	})
	if err == nil {
		t.Fatal("no error")
	}
	entries, _ := os.ReadDir(dist)
	if len(entries) != 1 || entries[0].Name() != "a.txt" {
		t.Errorf("a failed write left files: %v", entries)
	}
}

// MakeFile hands out an empty file in dist that a tool may write or
// replace; only a successful make is renamed into place and hashed.
func TestMakeFile(t *testing.T) {
	for _, tt := range []struct {
		name    string
		make    func(dest string) error
		want    string // content of dist/out.bin; "" when nothing may be left
		wantErr string
	}{
		{"written", func(dest string) error { return os.WriteFile(dest, []byte("hello\n"), 0o600) }, "hello\n", ""},
		{"replaced, as a tool writing its own file does", func(dest string) error {
			other := dest + ".new"
			if err := os.WriteFile(other, []byte("signed\n"), 0o600); err != nil {
				return err
			}
			return os.Rename(other, dest)
		}, "signed\n", ""},
		{"failed", func(dest string) error {
			os.WriteFile(dest, []byte("partial"), 0o600)
			return errors.New("makensis failed")
		}, "", "makensis failed"},
		{"removed", func(dest string) error { return os.Remove(dest) }, "", "not made as a regular file"},
		{"a link", func(dest string) error {
			os.Remove(dest)
			return os.Symlink("/etc/passwd", dest)
		}, "", "not made as a regular file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dist := t.TempDir()
			size, sum, err := MakeFile(dist, "out.bin", tt.make)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if entries, _ := os.ReadDir(dist); len(entries) != 0 {
					t.Errorf("a failed make left %v", entries)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(filepath.Join(dist, "out.bin"))
			h := sha256.Sum256([]byte(tt.want))
			if string(got) != tt.want || size != int64(len(tt.want)) || sum != hex.EncodeToString(h[:]) {
				t.Errorf("got %q (size %d, sum %s), want %q", got, size, sum, tt.want)
			}
			if info, _ := os.Stat(filepath.Join(dist, "out.bin")); info.Mode().Perm() != 0o644 {
				t.Errorf("mode %v, want 0644", info.Mode())
			}
			if entries, _ := os.ReadDir(dist); len(entries) != 1 {
				t.Errorf("dist holds %v, want out.bin alone", entries)
			}
		})
	}
}

// A relative --dist (the default, "dist") still gives make an absolute
// path: tools such as makensis and wixl run in folders of their own.
func TestMakeFileRelativeDist(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dist, err := filepath.Rel(cwd, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = MakeFile(dist, "out.bin", func(dest string) error {
		if !filepath.IsAbs(dest) {
			return fmt.Errorf("dest %q is not absolute", dest)
		}
		return os.WriteFile(dest, []byte("x"), 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPrepareDist(t *testing.T) {
	write := func(t *testing.T, path, s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	manifestOf := func(t *testing.T, dist, app, version string) {
		t.Helper()
		m := Manifest{Name: app, Version: version, Artifacts: []Artifact{{Path: "app_" + version + "_linux_amd64.tar.gz"}}}
		data, _ := m.JSON()
		write(t, filepath.Join(dist, ManifestName), string(data))
		write(t, filepath.Join(dist, ChecksumsName), "x  y\n")
		write(t, filepath.Join(dist, m.Artifacts[0].Path), "old")
	}
	manifest := func(t *testing.T, dist, version string) { manifestOf(t, dist, "App", version) }
	const snapshot = "0.9.1-snapshot.abc1234"
	tests := []struct {
		name     string
		setup    func(t *testing.T, dist string)
		version  string // of the build; "" is 1.0.0
		clean    bool
		silent   bool // Replaced is nil, as for bundle merge
		wantErr  string
		left     []string // files remaining afterwards
		replaced string   // the snapshot Replaced is called with
	}{
		{name: "new folder"},
		{name: "leftover temp files are removed", setup: func(t *testing.T, d string) { write(t, filepath.Join(d, ".x.123"+TempSuffix), "half") }},
		{name: "same version keeps artifacts, drops the manifest", setup: func(t *testing.T, d string) { manifest(t, d, "1.0.0") }, left: []string{"app_1.0.0_linux_amd64.tar.gz"}},
		{name: "other version", setup: func(t *testing.T, d string) { manifest(t, d, "0.9.0") }, wantErr: "holds App 0.9.0, not App 1.0.0; pass --clean"},
		{name: "other version with clean", setup: func(t *testing.T, d string) { manifest(t, d, "0.9.0") }, clean: true},
		{name: "foreign file", setup: func(t *testing.T, d string) { write(t, filepath.Join(d, "notes"), "") }, wantErr: "holds notes, which bundle did not write; move it out of dist, or pass another --dist"},
		{name: "a file named like an artifact is not bundle's without a journal", setup: func(t *testing.T, d string) { write(t, filepath.Join(d, "app_1.0.0_linux_arm64.zip"), "") }, wantErr: "holds app_1.0.0_linux_arm64.zip, which bundle did not write"},
		{name: "clean refuses a project", setup: func(t *testing.T, d string) { write(t, filepath.Join(d, "go.mod"), "") }, clean: true, wantErr: `refusing --clean: dist folder "`},
		{name: "files of an interrupted build of this version", setup: func(t *testing.T, d string) {
			write(t, filepath.Join(d, JournalName), "App\t1.0.0\napp-1.0.0.rpm\n")
			write(t, filepath.Join(d, "app-1.0.0.rpm"), "")
		}, left: []string{"app-1.0.0.rpm"}},
		{name: "interrupted build of another version", setup: func(t *testing.T, d string) {
			write(t, filepath.Join(d, JournalName), "App\t0.9.0\napp-0.9.0.rpm\n")
		}, wantErr: "interrupted build of App 0.9.0"},
		{name: "broken manifest", setup: func(t *testing.T, d string) { write(t, filepath.Join(d, ManifestName), "{") }, wantErr: "artifacts.json: unexpected end of JSON input; remove it or pass another --dist"},

		{name: "a snapshot is replaced by the release", setup: func(t *testing.T, d string) { manifest(t, d, snapshot) }, replaced: snapshot},
		{name: "a snapshot made outside git is replaced", setup: func(t *testing.T, d string) { manifest(t, d, "0.0.1-snapshot") }, replaced: "0.0.1-snapshot"},
		{name: "a snapshot is replaced by the next snapshot", setup: func(t *testing.T, d string) { manifest(t, d, snapshot) }, version: "0.9.1-snapshot.def5678", replaced: snapshot},
		{name: "an interrupted snapshot is replaced", setup: func(t *testing.T, d string) {
			write(t, filepath.Join(d, JournalName), "App\t"+snapshot+"\napp.rpm\n")
			write(t, filepath.Join(d, "app.rpm"), "half")
		}, replaced: snapshot},
		{name: "a snapshot beside a file bundle did not write", setup: func(t *testing.T, d string) {
			manifest(t, d, snapshot)
			write(t, filepath.Join(d, "notes"), "")
		}, wantErr: "holds notes, which bundle did not write"},
		{name: "a snapshot whose artifact is a folder", setup: func(t *testing.T, d string) {
			m := Manifest{Name: "App", Version: snapshot, Artifacts: []Artifact{{Path: "app.dir"}}}
			data, _ := m.JSON()
			write(t, filepath.Join(d, ManifestName), string(data))
			os.Mkdir(filepath.Join(d, "app.dir"), 0o755)
			write(t, filepath.Join(d, "app.dir", "user-file"), "keep me")
		}, wantErr: "holds a folder app.dir, which bundle never writes"},
		{name: "a snapshot of another app", setup: func(t *testing.T, d string) { manifestOf(t, d, "Other", snapshot) }, wantErr: "holds Other " + snapshot + ", not App 1.0.0; pass --clean"},
		{name: "a pre-release that is no snapshot", setup: func(t *testing.T, d string) { manifest(t, d, "1.0.0-rc.1") }, wantErr: "holds App 1.0.0-rc.1, not App 1.0.0; pass --clean"},
		{name: "a release is not replaced by a snapshot", setup: func(t *testing.T, d string) { manifest(t, d, "1.0.0") }, version: "1.0.1-snapshot.abc1234", wantErr: "holds App 1.0.0, not App 1.0.1-snapshot.abc1234; pass --clean"},
		{name: "a snapshot when no one is told", setup: func(t *testing.T, d string) { manifest(t, d, snapshot) }, silent: true, wantErr: "holds App " + snapshot + ", not App 1.0.0; pass --clean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dist := filepath.Join(t.TempDir(), "dist")
			var before string // every file in dist, for a refusal to keep
			if tt.setup != nil {
				os.MkdirAll(dist, 0o755)
				tt.setup(t, dist)
				before = tree(t, dist)
			}
			o := DistOptions{Name: "App", Version: cmp.Or(tt.version, "1.0.0"), Clean: tt.clean}
			var replaced []string
			if !tt.silent {
				o.Replaced = func(v string) { replaced = append(replaced, v) }
			}
			_, j, err := PrepareDist(context.Background(), dist, o)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || exitcode.Of(err) != exitcode.Usage {
					t.Fatalf("error %v (exit %d), want %q with exit 2", err, exitcode.Of(err), tt.wantErr)
				}
				if strings.HasPrefix(err.Error(), "refusing --clean") != tt.clean {
					t.Errorf("error %q says --clean: %v", err, !tt.clean)
				}
				if after := tree(t, dist); after != before {
					t.Errorf("a refusal changed dist:\nbefore:\n%s\nafter:\n%s", before, after)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			j.Close()
			entries, _ := os.ReadDir(dist)
			var names []string
			for _, e := range entries {
				if e.Name() != JournalName {
					names = append(names, e.Name())
				}
			}
			if strings.Join(names, ",") != strings.Join(tt.left, ",") {
				t.Errorf("left %v, want %v", names, tt.left)
			}
			if got := strings.Join(replaced, ","); got != tt.replaced {
				t.Errorf("Replaced called with %q, want %q", got, tt.replaced)
			}
		})
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 2_100_000: "2.1 MB", 3_500_000_000: "3.5 GB"} {
		if got := HumanSize(n); got != want {
			t.Errorf("HumanSize(%d) = %q, want %q", n, got, want)
		}
	}
}
