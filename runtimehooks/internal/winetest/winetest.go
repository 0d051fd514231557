// Package winetest gives the tests of this module a private Wine prefix in
// which Windows builds of Go programs run: Wine 8.0 lacks the
// ProcessPrng of bcryptprimitives.dll that Go needs, so a stand-in DLL,
// assembled here with the MinGW binutils, is put in the prefix. (This
// module cannot import the root module's winetest.)
package winetest

import (
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Install installs what Wine tests need: Wine, and the MinGW binutils that
// build the DLL stand-in.
const Install = "apt-get install wine wine64 binutils-mingw-w64-x86-64"

var (
	//go:embed testdata/dllmain.s
	dllmain []byte
	//go:embed testdata/bcryptprimitives.def
	dllDef []byte
)

// Wine is a private Wine prefix, prepared in the background.
type Wine struct {
	Env   []string // the environment Wine programs run with
	ready chan error
}

// Require starts preparing a Wine prefix (wineboot takes a while; the test
// builds meanwhile) whose wineserver runs until the test ends. It skips
// the test when Wine or the MinGW binutils are missing, or fails it when
// CI=true. drop lists prefixes of variables not to pass on.
func Require(t *testing.T, drop ...string) *Wine {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		t.Skip("Wine tests run on linux/amd64")
	}
	for _, tool := range []string{"go", "wine", "wineboot", "wineserver", "x86_64-w64-mingw32-as", "x86_64-w64-mingw32-ld"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := tool + " is missing: " + Install
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	dir := t.TempDir()
	prefix := filepath.Join(dir, "prefix")
	w := &Wine{ready: make(chan error, 1)}
next:
	for _, kv := range os.Environ() {
		for _, d := range drop {
			if strings.HasPrefix(kv, d) {
				continue next
			}
		}
		w.Env = append(w.Env, kv)
	}
	w.Env = append(w.Env, "WINEPREFIX="+prefix, "WINEARCH=win64", "WINEDEBUG=-all",
		// No Mono or Gecko install dialogs, and no menu entries written
		// into the real home folder.
		"WINEDLLOVERRIDES=mscoree,mshtml=;winemenubuilder.exe=d")
	t.Cleanup(func() {
		cmd := exec.Command("wineserver", "-k")
		cmd.Env = w.Env
		cmd.Run()
	})
	go func() { w.ready <- w.setUp(dir, prefix) }()
	return w
}

// Wait waits until the prefix is ready.
func (w *Wine) Wait() error { return <-w.ready }

// setUp creates the prefix with a wineserver that runs until the test
// ends, so that program starts do not pay for a new one, and puts the
// bcryptprimitives.dll stand-in in it.
func (w *Wine) setUp(dir, prefix string) error {
	src, def := filepath.Join(dir, "dllmain.s"), filepath.Join(dir, "bcryptprimitives.def")
	obj, dll := filepath.Join(dir, "dllmain.o"), filepath.Join(dir, "bcryptprimitives.dll")
	if err := os.WriteFile(src, dllmain, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(def, dllDef, 0o644); err != nil {
		return err
	}
	if err := os.Mkdir(prefix, 0o755); err != nil {
		return err
	}
	steps := [][]string{
		{"wineserver", "-p"}, // before wineboot, which would start one that exits when idle
		{"x86_64-w64-mingw32-as", "-o", obj, src},
		{"x86_64-w64-mingw32-ld", "--dll", "-e", "DllMain", "--subsystem", "windows", "-o", dll, obj, def},
		{"wineboot", "--init"},
	}
	for _, s := range steps {
		if err := w.Run(dir, s...); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(dll)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll"), data, 0o644); err != nil {
		return err
	}
	// The first start of a program is slow (the wineserver loads the
	// registry, the system caches the DLLs): not in a test, whose timing
	// matters.
	return w.Run(dir, "wine", "cmd", "/c", "exit")
}

// Run runs a command to its end with its output in a file in dir, not a
// pipe: the wineserver and Wine's helper processes would keep a pipe open.
func (w *Wine) Run(dir string, args ...string) error {
	out, err := os.CreateTemp(dir, "out-")
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = w.Env
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		data, _ := os.ReadFile(out.Name())
		return fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, data)
	}
	return nil
}

// Path is the Windows path Wine shows a path of this machine as.
func Path(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }
