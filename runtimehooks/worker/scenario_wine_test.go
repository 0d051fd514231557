//go:build linux

package worker

import (
	"testing"
	"time"

	"github.com/bundlekit/bundle/runtimehooks/internal/winetest"
)

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
	w := winetest.Require(t, "BUNDLE_RT_")
	build := t.TempDir()
	jail := requireJail(t, build)
	exes := map[string]string{
		"launch.exe": goBuild(t, build, "windows", "launch", "./testdata/launch"),
		modeChain:    buildRelaunch(t, build, "windows", modeChain, ""),
		modeRefuse:   buildRelaunch(t, build, "windows", modeRefuse, ""),
		modeOff:      buildRelaunch(t, build, "windows", modeOff, ""),
	}
	if err := w.Wait(); err != nil {
		t.Fatal(err)
	}
	host := &scenarioHost{goos: "windows", jail: jail, env: w.Env, path: winetest.Path,
		command: func(exe string, args ...string) []string {
			return append([]string{"wine", winetest.Path(exe)}, args...)
		}}

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
