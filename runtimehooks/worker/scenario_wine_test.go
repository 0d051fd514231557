//go:build linux

package worker

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// wineInstall installs what the Wine scenarios need: Wine, and the MinGW
// binutils that build the bcryptprimitives.dll stand-in Go programs need on
// Wine 8.0. (This module cannot import the root module's winetest.)
const wineInstall = "apt-get install wine wine64 binutils-mingw-w64-x86-64"

// wineParallel is how many scenarios run at once: Wine processes spend
// most of their start waiting on the wineserver, not on the CPU.
const wineParallel = 6

// windowsWays are the ways testdata/relaunch runs itself again on Windows.
var windowsWays = []string{"direct", "clearenv", "replaceenv", "forged", "malformed", "cmd", "cmd-clearenv", "hardlink", "copy", "doublefork"}

// TestWindowsRelaunchScenarios runs testdata/relaunch, built for Windows,
// under Wine and jailed, as TestRelaunchScenarios does on Linux: the naive
// relaunch through every Windows launch way, nested and as a relay, under
// the default guard and refuse, and the legitimate relaunches against the
// program built without the guard. A Windows process under Wine is a Linux
// process named after its Windows executable.
func TestWindowsRelaunchScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Windows program and runs it under Wine for about two minutes")
	}
	w := requireWine(t)
	build := t.TempDir()
	jail := requireJail(t, build)
	exes := map[string]string{
		"launch.exe": goBuild(t, build, "windows", "launch", "./testdata/launch"),
		modeChain:    buildRelaunch(t, build, "windows", modeChain, ""),
		modeRefuse:   buildRelaunch(t, build, "windows", modeRefuse, ""),
		modeOff:      buildRelaunch(t, build, "windows", modeOff, ""),
	}
	if err := <-w.ready; err != nil {
		t.Fatal(err)
	}
	host := &scenarioHost{goos: "windows", jail: jail, env: w.env, path: winePath,
		command: func(exe string, args ...string) []string { return append([]string{"wine", winePath(exe)}, args...) }}

	type naiveRun struct {
		mode string
		c    naiveCase
		run  *scenarioRun
	}
	var naives []naiveRun
	addNaive := func(mode string, c naiveCase) {
		watch := 30*time.Second + 3*c.delay
		naives = append(naives, naiveRun{mode, c, &scenarioRun{name: mode + "/" + c.String(), build: mode, args: c.args(), watch: watch}})
	}
	for _, way := range windowsWays {
		addNaive(modeRefuse, naiveCase{way: way, shape: "nested", k: 1})
		addNaive(modeChain, naiveCase{way: way, shape: "nested", k: 1})
		addNaive(modeChain, naiveCase{way: way, shape: "relay", k: 2})
	}
	for _, delay := range []time.Duration{0, 2500 * time.Millisecond} {
		addNaive(modeChain, naiveCase{way: "direct", shape: "nested", k: 2, delay: delay})
		addNaive(modeChain, naiveCase{way: "direct", shape: "relay", k: 1, delay: delay})
		addNaive(modeChain, naiveCase{way: "direct", shape: "relay", k: 3, delay: delay})
	}
	addNaive(modeChain, naiveCase{way: "clearenv", shape: "relay", k: 2, delay: 2500 * time.Millisecond})

	type legitRun struct{ bundled, plain *scenarioRun }
	var legits []legitRun
	for _, c := range legitCases("cmd", 0) {
		legits = append(legits, legitRun{
			&scenarioRun{name: c.name, build: modeChain, args: c.args, then: c.then, watch: time.Minute},
			&scenarioRun{name: c.name, build: modeOff, args: c.args, then: c.then, watch: time.Minute},
		})
	}
	var runs []*scenarioRun
	for _, n := range naives {
		runs = append(runs, n.run)
	}
	for _, l := range legits {
		runs = append(runs, l.bundled, l.plain)
	}
	sortByWatch(runs)
	runScenarios(t, host, exes, runs, wineParallel)

	for _, n := range naives {
		t.Run("naive/"+n.run.name, func(t *testing.T) {
			if n.run.err != nil {
				t.Fatal(n.run.err)
			}
			checkNaive(t, n.mode, n.c, n.run.out)
		})
	}
	for _, l := range legits {
		t.Run("legit/"+l.bundled.name, func(t *testing.T) {
			if l.bundled.err != nil || l.plain.err != nil {
				t.Fatal(l.bundled.err, l.plain.err)
			}
			checkLegit(t, l.bundled.out, l.plain.out)
		})
	}
}

// wine is a private Wine prefix, prepared in the background.
type wine struct {
	env   []string
	ready chan error
}

// requireWine starts preparing a Wine prefix (wineboot takes a while; the
// test builds meanwhile) whose wineserver runs until the test ends. It
// skips the test when Wine or the MinGW binutils are missing, or fails it
// when CI=true.
func requireWine(t *testing.T) *wine {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		t.Skip("Wine tests run on linux/amd64")
	}
	for _, tool := range []string{"go", "wine", "wineboot", "wineserver", "x86_64-w64-mingw32-as", "x86_64-w64-mingw32-ld"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := tool + " is missing: " + wineInstall
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	dir := t.TempDir()
	prefix := filepath.Join(dir, "prefix")
	w := &wine{ready: make(chan error, 1)}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BUNDLE_RT_") {
			w.env = append(w.env, kv)
		}
	}
	w.env = append(w.env, "WINEPREFIX="+prefix, "WINEARCH=win64", "WINEDEBUG=-all",
		// No Mono or Gecko install dialogs, and no menu entries written
		// into the real home folder.
		"WINEDLLOVERRIDES=mscoree,mshtml=;winemenubuilder.exe=d")
	t.Cleanup(func() {
		cmd := exec.Command("wineserver", "-k")
		cmd.Env = w.env
		cmd.Run()
	})
	go func() { w.ready <- w.setUp(dir, prefix) }()
	return w
}

// setUp creates the prefix with a wineserver that runs until the test
// ends, so that program starts do not pay for a new one, and puts the
// bcryptprimitives.dll stand-in in it.
func (w *wine) setUp(dir, prefix string) error {
	obj, dll := filepath.Join(dir, "dllmain.o"), filepath.Join(dir, "bcryptprimitives.dll")
	if err := os.Mkdir(prefix, 0o755); err != nil {
		return err
	}
	steps := [][]string{
		{"wineserver", "-p"}, // before wineboot, which would start one that exits when idle
		{"x86_64-w64-mingw32-as", "-o", obj, filepath.Join("testdata", "wine", "dllmain.s")},
		{"x86_64-w64-mingw32-ld", "--dll", "-e", "DllMain", "--subsystem", "windows", "-o", dll, obj, filepath.Join("testdata", "wine", "bcryptprimitives.def")},
		{"wineboot", "--init"},
	}
	for _, s := range steps {
		if err := w.run(dir, s...); err != nil {
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
	// registry, the system caches the DLLs): not in a scenario, whose
	// timing matters.
	return w.run(dir, "wine", "cmd", "/c", "exit")
}

// run runs a command to its end with its output in a file, not a pipe:
// the wineserver and Wine's helper processes would keep a pipe open.
func (w *wine) run(dir string, args ...string) error {
	out, err := os.CreateTemp(dir, "out-")
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = w.env
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		data, _ := os.ReadFile(out.Name())
		return fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, data)
	}
	return nil
}

// winePath is the Windows path Wine shows a path of this machine as.
func winePath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }
