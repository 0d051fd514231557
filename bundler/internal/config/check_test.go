//go:build unix

package config

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// TestCheckSpecialFiles builds projects whose files: (or scripts) hold a
// FIFO, a socket, a device or a symlink loop, directly or deep inside a
// folder or behind a symlink, and checks Check refuses each with the line
// of the value, before anything opens the file (opening a FIFO would block
// for ever).
func TestCheckSpecialFiles(t *testing.T) {
	fifo := func(t *testing.T, path string) {
		if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	socket := func(t *testing.T, path string) {
		l, err := net.Listen("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
	}
	device := func(t *testing.T, path string) {
		if os.Geteuid() != 0 {
			t.Skip("making a device node needs root")
		}
		if err := syscall.Mknod(path, syscall.S_IFCHR|0o666, 1<<8|3); err != nil { // 1,3: /dev/null
			t.Fatal(err)
		}
	}
	symlink := func(target string) func(*testing.T, string) {
		return func(t *testing.T, path string) {
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name  string
		yaml  string // appended to the base config
		setup map[string]func(*testing.T, string)
		want  string // "" when Check must pass
	}{
		{"regular files and an inside symlink", "files: [{src: docs}]\n", map[string]func(*testing.T, string){
			"docs/a.txt": nil, "docs/link": symlink("a.txt"), "docs/up": symlink("../other"), "other/b.txt": nil}, ""},
		{"fifo", "files: [{src: pipe}]\n", map[string]func(*testing.T, string){"pipe": fifo},
			`:2:15: files[0].src: "pipe" is a named pipe (FIFO), not a regular file; bundle ships files and folders only, so remove it or point files[0].src elsewhere`},
		{"fifo deep in a folder", "files: [{src: docs}]\n", map[string]func(*testing.T, string){"docs/a.txt": nil, "docs/sub/pipe": fifo},
			`:2:15: files[0].src: "docs/sub/pipe" is a named pipe (FIFO)`},
		{"fifo behind a symlinked folder", "files: [{src: docs}]\n", map[string]func(*testing.T, string){"docs/up": symlink("../other"), "other/pipe": fifo},
			`:2:15: files[0].src: "docs/up/pipe" is a named pipe (FIFO)`},
		{"socket", "files: [{src: docs}]\n", map[string]func(*testing.T, string){"docs/s": socket},
			`:2:15: files[0].src: "docs/s" is a socket, not a regular file`},
		{"character device", "files: [{src: nul}]\n", map[string]func(*testing.T, string){"nul": device},
			`:2:15: files[0].src: "nul" is a character device, not a regular file`},
		{"symlink to a device inside the project", "files: [{src: docs}]\n", map[string]func(*testing.T, string){"dev/null": device, "docs/null": symlink("../dev/null")},
			`:2:15: files[0].src: "docs/null" is a character device`},
		{"symlink to /dev/null", "files: [{src: docs}]\n", map[string]func(*testing.T, string){"docs/null": symlink("/dev/null")},
			`:2:15: files[0].src: "docs/null" is a symlink to "/dev/null", outside the project`},
		{"line break in a file name", "files: [{src: docs}]\n", map[string]func(*testing.T, string){"docs/a\nExec=evil": nil},
			`:2:15: files[0].src: the name of "docs/a\nExec=evil" holds a line break (U+000A); rename it`},
		{"bidi override in a folder name", "files: [{src: docs}]\n", map[string]func(*testing.T, string){"docs/\u202etxt.exe/a": nil},
			`:2:15: files[0].src: the name of "docs/\u202etxt.exe" holds a bidirectional override (U+202E), which makes text display differently from what it says; rename it`},
		{"symlink loop", "files: [{src: docs}]\n", map[string]func(*testing.T, string){"docs/a.txt": nil, "docs/again": symlink(".")},
			`:2:15: files[0].src: "docs/again" is a symlink loop`},
		{"broken symlink", "files: [{src: docs}]\n", map[string]func(*testing.T, string){"docs/gone": symlink("nothere")},
			`:2:15: files[0].src: "docs/gone" is a broken symlink`},
		{"fifo as a script", "linux:\n  scripts:\n    postinstall: pipe\n", map[string]func(*testing.T, string){"pipe": fifo},
			`:4:18: linux.scripts.postinstall: "pipe" is a named pipe (FIFO)`},
		{"folder as a script", "linux:\n  scripts:\n    postinstall: docs\n", map[string]func(*testing.T, string){"docs/a.txt": nil},
			`:4:18: linux.scripts.postinstall: "docs" is a folder; name the script file`},
		{"fifo as the icon", "icon: pipe.png\n", map[string]func(*testing.T, string){"pipe.png": fifo},
			`:2:7: icon: "pipe.png" is a named pipe (FIFO)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A short folder: a unix socket's path must fit in 108 bytes.
			dir, err := os.MkdirTemp("", "cfg")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			writeTestFile(t, filepath.Join(dir, "go.mod"), "module example.com/fixture\n\ngo 1.22\n")
			writeTestFile(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() {}\n")
			for rel, make := range tt.setup {
				path := filepath.Join(dir, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if make == nil {
					writeTestFile(t, path, "x")
					continue
				}
				make(t, path)
			}
			cfg := "name: Fixture\n" + tt.yaml
			writeTestFile(t, filepath.Join(dir, "bundle.yaml"), cfg)
			p, err := Load(filepath.Join(dir, "bundle.yaml"), known)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- p.Check(context.Background(), nil) }()
			select {
			case err = <-done:
			case <-time.After(time.Minute):
				t.Fatal("Check hangs")
			}
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted; want %s", tt.want)
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Line == 0 || exitcode.Of(err) != 2 {
				t.Errorf("not a located config error (exit 2): %#v", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !oneLine(err.Error()) {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
			if regexp.MustCompile(`^`+regexp.QuoteMeta(filepath.Join(dir, "bundle.yaml"))+`:\d+:\d+: `).FindString(err.Error()) == "" {
				t.Errorf("error does not start with file:line:col: %s", err)
			}
		})
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The formats' own rules (Known.Checks) run for the formats of the OSes
// the targets use, each once, in the order of formats:, after the
// project's own checks.
func TestCheckRunsFormatChecks(t *testing.T) {
	for _, tt := range []struct {
		name, yaml string
		ran        []string
		want       string
	}{
		{"every configured format of a used OS, once, in order",
			"targets: [linux/amd64, linux/arm64, windows/amd64]\nformats: {linux: [deb, tar.gz, rpm], windows: [zip]}\n",
			[]string{"deb", "rpm", "zip"}, ""},
		{"none for an OS no target uses",
			"targets: [windows/amd64]\nformats: {linux: [deb], windows: [zip]}\n", []string{"zip"}, ""},
		{"the first refusal stops the rest",
			"targets: [linux/amd64]\nformats: {linux: [rpm, deb]}\n", []string{"rpm"}, "bundle.yaml:3:18: formats.linux: rpm refuses"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTestFile(t, filepath.Join(dir, "go.mod"), "module example.com/fixture\n\ngo 1.22\n")
			writeTestFile(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() {}\n")
			writeTestFile(t, filepath.Join(dir, "bundle.yaml"), "name: Fixture\n"+tt.yaml)
			var ran []string
			k := known
			k.Checks = map[string]func(*Project) error{}
			for _, name := range []string{"deb", "rpm", "zip"} {
				k.Checks[name] = func(p *Project) error {
					ran = append(ran, name)
					if strings.Contains(tt.want, name+" refuses") {
						return p.Errorf("formats.linux", "%s refuses", name)
					}
					return nil
				}
			}
			p, err := Load(filepath.Join(dir, "bundle.yaml"), k)
			if err != nil {
				t.Fatal(err)
			}
			err = p.Check(context.Background(), nil)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.HasSuffix(err.Error(), tt.want)) {
				t.Errorf("Check: %v, want %q", err, tt.want)
			}
			if !slices.Equal(ran, tt.ran) {
				t.Errorf("ran %v, want %v", ran, tt.ran)
			}
		})
	}
}
