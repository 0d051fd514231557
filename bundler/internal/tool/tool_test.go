package tool

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/exitcode"
)

// fakeTools makes PATH a folder of its own holding a shell script per
// entry of scripts (name → body), for the rest of t.
func fakeTools(t *testing.T, scripts map[string]string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in tools are shell scripts")
	}
	dir := t.TempDir()
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir)
	return dir
}

func TestFind(t *testing.T) {
	dir := fakeTools(t, map[string]string{"faketool": "exit 0"})
	if err := os.WriteFile(filepath.Join(dir, "notexec"), []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		tool     Tool
		wantPath string // "" for missing
		wantErr  string
	}{
		{name: "found", tool: Tool{Name: "Fake", Command: "faketool", Debian: "fake"},
			wantPath: filepath.Join(dir, "faketool")},
		{name: "missing, Debian only", tool: Tool{Name: "Missing", Command: "missingtool", Debian: "missing-tools"},
			wantErr: "sign.windows needs Missing (missingtool), which is not on PATH; install Missing: apt-get install missing-tools (Debian/Ubuntu)"},
		{name: "missing, every platform", tool: Tool{Name: "NSIS", Command: "makensis", Debian: "nsis", Homebrew: "makensis", Windows: "winget install NSIS.NSIS"},
			wantErr: "sign.windows needs NSIS (makensis), which is not on PATH; install NSIS: apt-get install nsis (Debian/Ubuntu), brew install makensis (macOS), winget install NSIS.NSIS (Windows)"},
		{name: "not executable", tool: Tool{Name: "Not exec", Command: "notexec", Debian: "notexec", Windows: "download it"},
			wantErr: "sign.windows needs Not exec (notexec), which is not on PATH; install Not exec: apt-get install notexec (Debian/Ubuntu), download it (Windows)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Find(tt.tool, "sign.windows")
			if tt.wantErr == "" {
				if err != nil || p != tt.wantPath {
					t.Errorf("Find = %q, %v; want %s", p, err, tt.wantPath)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr || exitcode.Of(err) != exitcode.MissingTool || p != "" {
				t.Errorf("Find = %q, %v (exit code %d)\nwant the error %s (exit code %d)", p, err, exitcode.Of(err), tt.wantErr, exitcode.MissingTool)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	dir := fakeTools(t, map[string]string{
		"plain":  `[ "$1" = --version ] && echo "plain 1.2.3"`,
		"lines":  `printf '\n  lines 4.5  \nbuilt with care\n'`,
		"stderr": `echo "stderr 7.0" >&2; exit 1`,
		"silent": `exit 0`,
	})
	for _, tt := range []struct {
		name string
		tool Tool
		want string
	}{
		{name: "first line", tool: Tool{Command: "plain", VersionArgs: []string{"--version"}}, want: "plain 1.2.3"},
		{name: "trimmed, first non-blank line", tool: Tool{Command: "lines", VersionArgs: []string{"-V"}}, want: "lines 4.5"},
		{name: "on stderr with a failing exit", tool: Tool{Command: "stderr", VersionArgs: []string{"-v"}}, want: "stderr 7.0"},
		{name: "prints nothing", tool: Tool{Command: "silent", VersionArgs: []string{"-v"}}, want: ""},
		{name: "no version command", tool: Tool{Command: "plain"}, want: ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Version(context.Background(), tt.tool, filepath.Join(dir, tt.tool.Command)); got != tt.want {
				t.Errorf("Version = %q, want %q", got, tt.want)
			}
		})
	}
}
