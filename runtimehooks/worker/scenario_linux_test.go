package worker

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// linuxWays are the ways testdata/relaunch runs itself again on Linux.
var linuxWays = []string{"direct", "clearenv", "replaceenv", "forged", "malformed", "sh", "bash", "env", "symlink",
	"hardlink", "copy", "lostfd", "doublefork", "sudo", "pkexec", "exec"}

// TestRelaunchScenarios runs testdata/relaunch, jailed, in every way a
// program runs itself again: the naive relaunch through every launch way,
// nested and as a relay, after no work and after 2.5 s of it (and, for the
// direct way, with 2 or 3 copies and after 0.5 and 10 s), under the default
// guard and under refuse, and the legitimate relaunches, at once and with
// pauses, against the same program built without the guard.
func TestRelaunchScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program with the go command and runs it for about two minutes")
	}
	for _, tool := range []string{"go", "sh", "bash", "env"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found", tool)
		}
	}
	build := t.TempDir()
	host := &scenarioHost{goos: "linux", jail: requireJail(t, build), env: cleanEnv(),
		command: func(exe string, args ...string) []string { return append([]string{exe}, args...) },
		path:    func(p string) string { return p }}
	exes := map[string]string{
		"launcher": goBuild(t, build, "linux", "launcher", "./testdata/launcher"),
		modeChain:  buildRelaunch(t, build, "linux", modeChain, ""),
		modeRefuse: buildRelaunch(t, build, "linux", modeRefuse, ""),
		modeOff:    buildRelaunch(t, build, "linux", modeOff, ""),
		"chain-8":  buildRelaunch(t, build, "linux", modeChain, "8"),
	}

	type naiveRun struct {
		mode string
		c    naiveCase
		run  *scenarioRun
	}
	var naives []naiveRun
	addNaive := func(mode string, c naiveCase) {
		b := mode
		if c.unlinked {
			b = "chain-8" // a low ceiling, which the runaway reaches
		}
		watch := 15*time.Second + 3*c.delay + c.hold
		naives = append(naives, naiveRun{mode, c, &scenarioRun{name: mode + "/" + c.String(), build: b, args: c.args(), watch: watch}})
	}
	addNaive(modeOff, naiveCase{way: "direct", shape: "nested", k: 1})
	for _, way := range linuxWays {
		addNaive(modeRefuse, naiveCase{way: way, shape: "nested", k: 1})
		for _, delay := range []time.Duration{0, 2500 * time.Millisecond} {
			addNaive(modeChain, naiveCase{way: way, shape: "nested", k: 1, delay: delay})
			if way != "exec" {
				addNaive(modeChain, naiveCase{way: way, shape: "relay", k: 2, delay: delay, unlinked: way == "pkexec"})
			}
		}
	}
	for _, delay := range []time.Duration{0, 500 * time.Millisecond, 2500 * time.Millisecond, 10 * time.Second} {
		for _, k := range []int{2, 3} {
			addNaive(modeChain, naiveCase{way: "direct", shape: "nested", k: k, delay: delay})
		}
		for _, k := range []int{1, 3} {
			addNaive(modeChain, naiveCase{way: "direct", shape: "relay", k: k, delay: delay})
		}
	}
	// Watched for a minute: the first copy's run holds on.
	addNaive(modeChain, naiveCase{way: "direct", shape: "nested", k: 1, hold: time.Minute})

	type legitRun struct {
		bundled, plain *scenarioRun
	}
	var legits []legitRun
	for _, pause := range []time.Duration{0, time.Second} {
		p := strconv.FormatInt(pause.Milliseconds(), 10)
		cases := append(legitCases("sh", pause),
			legitCase{"restart in place three times", []string{"restart-exec", p}, nil},
			legitCase{"graceful restart handing the listener on, three times", []string{"handover", p}, nil})
		for _, c := range cases {
			name := c.name + "/pause " + pause.String()
			watch := 40 * time.Second
			legits = append(legits, legitRun{
				&scenarioRun{name: name, build: modeChain, args: c.args, then: c.then, watch: watch},
				&scenarioRun{name: name, build: modeOff, args: c.args, then: c.then, watch: watch},
			})
		}
	}
	workerRuns := map[string]*scenarioRun{}
	for _, mode := range []string{modeChain, modeRefuse} {
		workerRuns[mode] = &scenarioRun{name: mode + "/worker", build: mode, args: []string{"worker"}, watch: 15 * time.Second}
	}

	var runs []*scenarioRun
	for _, n := range naives {
		runs = append(runs, n.run)
	}
	for _, l := range legits {
		runs = append(runs, l.bundled, l.plain)
	}
	for _, r := range workerRuns {
		runs = append(runs, r)
	}
	// The longest first, so that they do not end the test alone.
	sortByWatch(runs)
	runScenarios(t, host, exes, runs, 16)

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
	for mode, r := range workerRuns {
		t.Run("worker/"+mode, func(t *testing.T) {
			if r.err != nil {
				t.Fatal(r.err)
			}
			// A worker that runs the program again is refused, in both
			// modes; the worker is the second process and its copy the
			// third.
			if r.out.mains != 1 || r.out.maxAlive > 3 || !strings.Contains(r.out.log, "worker relaunch exit=77") {
				t.Errorf("%d runs of main(), %d alive; want 1, at most 3, and the worker's copy refused\nlog:\n%s\nstderr:\n%s", r.out.mains, r.out.maxAlive, r.out.log, r.out.stderr)
			}
			checkLines(t, r.out.guardLines(), workerPattern)
		})
	}
}
