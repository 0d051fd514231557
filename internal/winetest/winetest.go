// Package winetest runs Windows programs under Wine in tests: a private
// prefix per test binary, the bcryptprimitives.dll stand-in that Go
// programs need on Debian's Wine 8.0, and a clear skip (or, with CI=true, a
// failure) naming what to install when Wine is missing.
package winetest

import (
	"context"
	_ "embed"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bundlekit/bundle/internal/testtool"
)

// Install names the Debian packages this package needs.
const Install = "wine wine64 binutils-mingw-w64-x86-64"

// The bcryptprimitives.dll stand-in, assembled with the MinGW binutils.
// Embedded rather than read beside this file, which a -trimpath build
// cannot find.
var (
	//go:embed testdata/dllmain.s
	dllmainS []byte
	//go:embed testdata/bcryptprimitives.def
	bcryptDef []byte
)

// Wine is a prepared Wine prefix.
type Wine struct {
	Prefix string
	env    []string
}

var shared struct {
	once sync.Once
	wine *Wine
	err  string
}

// Require returns the shared prefix, creating it on first use. It skips the
// test when Wine or the MinGW binutils are missing, or fails it when
// CI=true, naming the packages to install.
func Require(t *testing.T) *Wine {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("Wine tests run on linux/amd64")
	}
	testtool.Need(t, Install, "wine", "wineboot", "wineserver", "x86_64-w64-mingw32-as", "x86_64-w64-mingw32-ld")
	shared.once.Do(func() { shared.wine, shared.err = setUp() })
	if shared.err != "" {
		t.Fatal(shared.err)
	}
	return shared.wine
}

func setUp() (*Wine, string) {
	dir, err := os.MkdirTemp("", "bundle-wine-")
	if err != nil {
		return nil, err.Error()
	}
	w := &Wine{Prefix: filepath.Join(dir, "prefix")}
	w.env = append(os.Environ(),
		"WINEPREFIX="+w.Prefix, "WINEARCH=win64", "WINEDEBUG=-all",
		// No Mono or Gecko install dialogs, and no menu entries or desktop
		// files written into the real home folder for installed shortcuts.
		"WINEDLLOVERRIDES=mscoree,mshtml=;winemenubuilder.exe=d",
	)
	asm, def := filepath.Join(dir, "dllmain.s"), filepath.Join(dir, "bcryptprimitives.def")
	for p, data := range map[string][]byte{asm: dllmainS, def: bcryptDef} {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return nil, err.Error()
		}
	}
	obj, dll := filepath.Join(dir, "dllmain.o"), filepath.Join(dir, "bcryptprimitives.dll")
	steps := [][]string{
		{"x86_64-w64-mingw32-as", "-o", obj, asm},
		{"x86_64-w64-mingw32-ld", "--dll", "-e", "DllMain", "--subsystem", "windows", "-o", dll, obj, def},
		{"wineboot", "--init"},
	}
	for _, s := range steps {
		cmd := exec.Command(s[0], s[1:]...)
		cmd.Env = w.env
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, strings.Join(s, " ") + ": " + err.Error() + "\n" + string(out)
		}
	}
	data, err := os.ReadFile(dll)
	if err != nil {
		return nil, err.Error()
	}
	if err := os.WriteFile(filepath.Join(w.Prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll"), data, 0o644); err != nil {
		return nil, err.Error()
	}
	return w, ""
}

// Shutdown stops the prefix's wineserver and removes the prefix, if one was
// made. Call it from TestMain after the tests ran.
func Shutdown() {
	w := shared.wine
	if w == nil {
		return
	}
	cmd := exec.Command("wineserver", "-k")
	cmd.Env = w.env
	cmd.Run()
	os.RemoveAll(filepath.Dir(w.Prefix))
}

// Command returns a command that runs a Windows program (or a Wine builtin
// such as taskkill) in the prefix.
func (w *Wine) Command(ctx context.Context, program string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "wine", append([]string{program}, args...)...)
	cmd.Env = w.env
	return cmd
}

// Run runs a program to completion and returns its output with Windows
// line endings turned into "\n", and its exit code.
func (w *Wine) Run(t *testing.T, timeout time.Duration, program string, args ...string) (string, int) {
	t.Helper()
	return w.run(t, timeout, nil, program, args...)
}

// RunJailed is Run in a jail (runtimehooks/internal/jail), as every run of
// a program that may start copies of itself is.
func (w *Wine) RunJailed(t *testing.T, timeout time.Duration, jail, program string, args ...string) (string, int) {
	t.Helper()
	return w.run(t, timeout, []string{jail, "-timeout", timeout.String(), "--"}, program, args...)
}

func (w *Wine) run(t *testing.T, timeout time.Duration, prefix []string, program string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// Output goes to a file, not a pipe: Wine's helper processes keep a
	// pipe open after the program ends, which makes Run wait seconds.
	f, err := os.CreateTemp("", "bundle-wine-out-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd := w.Command(ctx, program, args...)
	if prefix != nil {
		cmd = exec.CommandContext(ctx, prefix[0], append(prefix[1:], cmd.Args...)...)
		cmd.Env = w.env
	}
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("wine %s: %v", program, err)
	}
	out, _ := os.ReadFile(f.Name())
	return strings.ReplaceAll(string(out), "\r\n", "\n"), code
}

// LocalAppData is %LOCALAPPDATA% in the prefix, where per-user installs go.
func (w *Wine) LocalAppData(t *testing.T) string {
	t.Helper()
	out, code := w.Run(t, time.Minute, "cmd", "/c", "echo", "%LOCALAPPDATA%")
	local := strings.TrimSpace(out)
	if code != 0 || local == "" {
		t.Fatalf("%%LOCALAPPDATA%% = %q (exit %d)", out, code)
	}
	return local
}

// Products lists the installed products named name, as Wine's
// uninstaller lists them: "{product code}|||name".
func (w *Wine) Products(t *testing.T, name string) []string {
	t.Helper()
	out, _ := w.Run(t, time.Minute, "uninstaller", "--list")
	var found []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); strings.HasSuffix(l, "|||"+name) {
			found = append(found, l)
		}
	}
	return found
}

// Path turns a path on this machine into the Windows path Wine shows it
// as (drive Z: maps the root).
func Path(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }
