package appfiles

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

const secret = "token=ghp_outside_the_project"

// sandbox is a project folder with a secret file beside it that no copy
// may take in.
type sandbox struct{ project, secret, dst string }

func newSandbox(t *testing.T) sandbox {
	t.Helper()
	base := t.TempDir()
	s := sandbox{project: filepath.Join(base, "project"), secret: filepath.Join(base, "secret.txt"), dst: filepath.Join(base, "staged")}
	write(t, filepath.Join(s.project, "go.mod"), "module example.com/p\n", 0o644)
	write(t, s.secret, secret, 0o600)
	return s
}

func write(t *testing.T, path, content string, perm fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // whatever the umask
		t.Fatal(err)
	}
}

// staged lists the copy: each file with its mode and content.
func staged(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, _ := d.Info()
		data, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel)+" "+info.Mode().String()+" "+string(data))
		return nil
	})
	return out
}

func TestCopy(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		setup   func(t *testing.T, s sandbox)
		want    []string // the staged files, or
		refused string   // what the one-line refusal says
		leftOut []string
	}{
		{name: "a folder with what bundle and version control keep left out", src: ".",
			setup: func(t *testing.T, s sandbox) {
				write(t, filepath.Join(s.project, "README"), "read me", 0o644)
				write(t, filepath.Join(s.project, "bin", "tool"), "#!/bin/sh", 0o755)
				write(t, filepath.Join(s.project, ".git", "config"), "[http] extraheader = AUTHORIZATION: basic "+secret, 0o644)
				write(t, filepath.Join(s.project, "sub", ".hg", "hgrc"), secret, 0o644)
				write(t, filepath.Join(s.project, ".svn", "entries"), secret, 0o644)
				write(t, filepath.Join(s.project, "dist", "app.tar.gz"), "old artifact", 0o644)
				write(t, filepath.Join(s.project, "dist", ".app.zip.1"+artifact.TempSuffix), "half", 0o644)
				write(t, filepath.Join(s.project, "old-dist", artifact.ManifestName), "{}", 0o644)
				write(t, filepath.Join(s.project, "old-dist", artifact.ChecksumsName), "", 0o644)
				write(t, filepath.Join(s.project, "killed-dist", artifact.JournalName), "App\t1.0.0\n", 0o644)
				write(t, filepath.Join(s.project, "killed-dist", "app.deb"), "half a build", 0o644)
				write(t, filepath.Join(s.project, "assets", ".x"+artifact.TempSuffix), "half", 0o644)
				write(t, filepath.Join(s.project, "assets", "artifacts.json"), "a user's own file of that name", 0o644)
			},
			want: []string{"README -rw-r--r-- read me", "assets/artifacts.json -rw-r--r-- a user's own file of that name",
				"bin/tool -rwxr-xr-x #!/bin/sh", "go.mod -rw-r--r-- module example.com/p\n"},
			leftOut: []string{".git", ".svn", "assets/.x" + artifact.TempSuffix, "dist", "killed-dist", "old-dist", "sub/.hg"}},
		{name: "a link inside the project, copied as its file", src: "assets",
			setup: func(t *testing.T, s sandbox) {
				write(t, filepath.Join(s.project, "LICENSE"), "MIT", 0o644)
				os.MkdirAll(filepath.Join(s.project, "assets"), 0o755)
				os.Symlink("../LICENSE", filepath.Join(s.project, "assets", "LICENSE"))
			},
			want: []string{"LICENSE -rw-r--r-- MIT"}},
		{name: "a private file with one name", src: "assets",
			setup: func(t *testing.T, s sandbox) { write(t, filepath.Join(s.project, "assets", "key"), "mine", 0o600) },
			want:  []string{"key -rw-r--r-- mine"}},
		{name: "a link outside the project", src: "assets",
			setup: func(t *testing.T, s sandbox) {
				os.MkdirAll(filepath.Join(s.project, "assets"), 0o755)
				os.Symlink(s.secret, filepath.Join(s.project, "assets", "leak"))
			},
			refused: `files[0].src: "assets/leak" is a symlink that leads outside the project`},
		{name: "a link to a folder outside the project", src: "assets",
			setup: func(t *testing.T, s sandbox) {
				os.MkdirAll(filepath.Join(s.project, "assets"), 0o755)
				os.Symlink(filepath.Dir(s.secret), filepath.Join(s.project, "assets", "up"))
			},
			refused: `"assets/up" is a symlink that leads outside the project`},
		{name: "a FIFO", src: "assets",
			setup: func(t *testing.T, s sandbox) {
				os.MkdirAll(filepath.Join(s.project, "assets"), 0o755)
				if err := syscall.Mkfifo(filepath.Join(s.project, "assets", "pipe"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			refused: `"assets/pipe" is a named pipe (FIFO), not a regular file`},
		{name: "a hard link to a private file outside", src: "assets",
			setup: func(t *testing.T, s sandbox) {
				os.MkdirAll(filepath.Join(s.project, "assets"), 0o755)
				if err := os.Link(s.secret, filepath.Join(s.project, "assets", "hard")); err != nil {
					t.Fatal(err)
				}
			},
			refused: `"assets/hard" is a hard link to a file only its owner may read (mode 0600, 2 names)`},
		{name: "a link loop", src: "assets",
			setup: func(t *testing.T, s sandbox) {
				os.MkdirAll(filepath.Join(s.project, "assets"), 0o755)
				os.Symlink("..", filepath.Join(s.project, "assets", "loop"))
			},
			refused: "is a symlink loop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSandbox(t)
			tt.setup(t, s)
			var left []string
			err := Copy(context.Background(), s.project, tt.src, s.dst, Options{
				Field: "files[0].src", Skip: skipOf(t, filepath.Join(s.project, "dist")),
				LeftOut: func(rel, why string) { left = append(left, rel) },
			})
			if tt.refused != "" {
				if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), tt.refused) || strings.Contains(err.Error(), "\n") {
					t.Errorf("got %v, want exit 2 and one line saying %q", err, tt.refused)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			got := staged(t, s.dst)
			for _, f := range got {
				if strings.Contains(f, secret) {
					t.Errorf("the copy holds the secret: %s", f)
				}
			}
			if tt.refused == "" && !slices.Equal(got, tt.want) {
				t.Errorf("staged\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			slices.Sort(left)
			if !slices.Equal(left, tt.leftOut) {
				t.Errorf("left out %v, want %v", left, tt.leftOut)
			}
		})
	}
}

func skipOf(t *testing.T, dirs ...string) []fs.FileInfo {
	var out []fs.FileInfo
	for _, d := range dirs {
		if info, err := os.Stat(d); err == nil {
			out = append(out, info)
		}
	}
	return out
}

// TestCopyRacesLinksAndFIFOs swaps a file of the copied folder, again and
// again while Copy runs, between a regular file, a link to a secret
// outside the project, a FIFO and a hard link to that secret: each of 100
// copies either ships the project's own file or refuses with one line,
// never holds the secret, and never hangs.
func TestCopyRacesLinksAndFIFOs(t *testing.T) {
	refused := 0
	defer func() { t.Logf("%d of 100 copies refused a swapped-in file", refused) }()
	for round := range 100 {
		s := newSandbox(t)
		assets := filepath.Join(s.project, "assets")
		for i := range 20 {
			write(t, filepath.Join(assets, "f"+string(rune('a'+i))), strings.Repeat("x", 1<<12), 0o644)
		}
		target := filepath.Join(assets, "fj")
		stop := make(chan struct{})
		swapped := make(chan struct{})
		go func() {
			defer close(swapped)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				tmp := target + ".new"
				os.Remove(tmp)
				switch (i + round) % 4 {
				case 0:
					os.WriteFile(tmp, []byte("own"), 0o644)
				case 1:
					os.Symlink(s.secret, tmp)
				case 2:
					syscall.Mkfifo(tmp, 0o644)
				case 3:
					os.Link(s.secret, tmp)
				}
				os.Rename(tmp, target)
			}
		}()
		done := make(chan error, 1)
		go func() {
			done <- Copy(context.Background(), s.project, "assets", s.dst, Options{Field: "files[0].src", LeftOut: func(string, string) {}})
		}()
		var err error
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: Copy hangs", round)
		}
		close(stop)
		<-swapped
		if err != nil {
			refused++
			if exitcode.Of(err) != exitcode.Usage || strings.Contains(err.Error(), "\n") {
				t.Errorf("round %d: %v", round, err)
			}
		}
		for _, f := range staged(t, s.dst) {
			if strings.Contains(f, secret) {
				t.Fatalf("round %d: the copy holds the secret: %s", round, f)
			}
		}
	}
}
