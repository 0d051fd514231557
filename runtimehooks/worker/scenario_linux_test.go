package worker

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hardCap is where testdata/relaunch stops a chain by itself.
const hardCap = 30

// Patterns the refusal lines must name: the pattern and the fix.
const (
	chainPattern  = "a chain of quick self-relaunches"
	refusePattern = "refused to run main() again"
	fixPattern    = "relaunch with worker.Command"
)

// relaunchScenario is one way testdata/relaunch runs itself again, and
// what the guard must make of it in each mode.
type relaunchScenario struct {
	name  string
	naive bool // the fork-bomb pattern: the guard must stop it

	// The runs of main(), as "<n> <scenario>" (n: the app's own count of
	// generations), in modes chain and refuse.
	chain, refuse []string

	// Substrings of every refusal line; "" means none may appear.
	chainRefusal, refuseRefusal string

	refuseAlive int // most app processes alive at once in mode refuse (default 2)
	stop        bool
}

func gens(scenario string, ns ...int) []string {
	var out []string
	for _, n := range ns {
		out = append(out, fmt.Sprintf("%d %s", n, scenario))
	}
	return out
}

// relaunchScenarios returns the naive relaunch through each of naive, and
// the legitimate relaunches, with a call through each of shellcalls.
func relaunchScenarios(naive, shellcalls []string) []relaunchScenario {
	var s []relaunchScenario
	for _, name := range naive {
		s = append(s, relaunchScenario{name: name, naive: true,
			chain: gens(name, 0, 1), chainRefusal: chainPattern,
			refuse: gens(name, 0), refuseRefusal: refusePattern})
	}
	var calls []relaunchScenario
	for _, name := range shellcalls {
		calls = append(calls, relaunchScenario{name: name, chain: []string{"0 " + name, "1 inner"}, refuse: gens(name, 0)})
	}
	legit := []relaunchScenario{
		{name: "detach", stop: true,
			chain:  []string{"0 detach", "0 detach-stop", "1 detach-run"},
			refuse: []string{"0 detach", "0 detach-stop"}},
		{name: "supervise",
			chain:  append(gens("supervise", 0), gens("supervise-child", 1, 1, 1, 1)...),
			refuse: gens("supervise", 0)},
		{name: "nested", chain: []string{"0 nested", "1 inner"}, refuse: gens("nested", 0)},
		{name: "selfupdate", chain: gens("selfupdate", 0, 1, 2, 3), refuse: gens("selfupdate", 0)},
		// A worker's naive relaunch is refused in both modes; the worker is
		// the third process.
		{name: "worker", chain: gens("worker", 0), chainRefusal: chainPattern,
			refuse: gens("worker", 0), refuseAlive: 3},
		// Three sanctioned relaunches, each waiting for the next.
		{name: "command", chain: gens("command", 0, 1, 2), refuse: gens("command", 0, 1, 2), refuseAlive: 3},
	}
	for _, l := range append(calls, legit...) {
		if l.name != "command" && l.refuseRefusal == "" {
			l.refuseRefusal = refusePattern
		}
		s = append(s, l)
	}
	return s
}

// linuxScenarios are the scenarios of TestRelaunchScenarios.
func linuxScenarios() []relaunchScenario {
	s := relaunchScenarios([]string{"direct", "clearenv", "replaceenv", "forged", "malformed", "sh", "bash", "env",
		"symlink", "hardlink", "copy", "doublefork", "relay", "relay-clearenv", "lostfd"},
		[]string{"shellcall-sh", "shellcall-bash"})
	// In place is no new process: refuse lets one exec through, as before.
	return append(s, relaunchScenario{name: "exec", naive: true,
		chain: gens("exec", 0, 1), chainRefusal: chainPattern,
		refuse: gens("exec", 0, 1), refuseRefusal: chainPattern})
}

// TestRelaunchScenarios runs testdata/relaunch, built with the guard in
// mode chain and in mode refuse, in every scenario, and watches its
// processes in /proc.
func TestRelaunchScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program with the go command and runs it for about a minute")
	}
	for _, tool := range []string{"go", "sh", "bash", "env"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found", tool)
		}
	}
	root := t.TempDir()
	t.Run("off/direct", func(t *testing.T) {
		// The control: without the guard the naive program runs away up to
		// its own cap, and the harness sees it.
		exe := buildRelaunch(t, root, "linux", modeOff)
		dir := filepath.Join(filepath.Dir(exe), "direct")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		out := runScenario(t, exe, dir, relaunchScenario{name: "direct"})
		t.Logf("| off | direct | %d | %d runs | %v |", out.maxAlive, len(out.mains), out.settle.Round(time.Millisecond))
		if want := hardCap + 1; len(out.mains) != want || out.maxAlive <= 3 {
			t.Errorf("unguarded: %d runs of main() and %d processes alive at once, want %d runs and more than 3 processes", len(out.mains), out.maxAlive, want)
		}
	})
	for _, mode := range []string{modeChain, modeRefuse} {
		exe := buildRelaunch(t, root, "linux", mode)
		for _, sc := range linuxScenarios() {
			t.Run(mode+"/"+sc.name, func(t *testing.T) {
				dir := filepath.Join(filepath.Dir(exe), sc.name)
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				checkScenario(t, mode, sc, runScenario(t, exe, dir, sc))
			})
		}
	}
}

// checkScenario checks what a scenario did in mode against what the
// guard must make of it, and logs a row of the results table.
func checkScenario(t *testing.T, mode string, sc relaunchScenario, out scenarioOutcome) {
	t.Helper()
	t.Logf("| %s | %s | %d | %s | %v |", mode, sc.name, out.maxAlive, strings.Join(out.mains, ", "), out.settle.Round(time.Millisecond))
	want, refusal, alive := sc.chain, sc.chainRefusal, 3
	if mode == modeRefuse {
		want, refusal, alive = sc.refuse, sc.refuseRefusal, 2
		if sc.refuseAlive != 0 {
			alive = sc.refuseAlive
		}
	}
	if !sameMains(out.mains, mode, sc) {
		t.Errorf("main() ran as %q, want %q (the slowest step from one run of main() to the next took %v, the relaunch window is %v); log:\n%s\nstderr:\n%s",
			out.mains, want, slowestStep(out.log), relaunchWindow, out.log, out.stderr)
	}
	if (sc.naive || mode == modeRefuse) && out.maxAlive > alive {
		t.Errorf("%d app processes alive at once, want at most %d", out.maxAlive, alive)
	}
	if sc.naive && out.settle > 5*time.Second {
		t.Errorf("the process tree settled after %v, want within 5s", out.settle)
	}
	checkRefusals(t, out.stderr, refusal, sc.naive && mode == modeChain)
}

// sameMains reports whether main() ran as scenario sc says it must in mode.
func sameMains(mains []string, mode string, sc relaunchScenario) bool {
	want := sc.chain
	if mode == modeRefuse {
		want = sc.refuse
	}
	return strings.Join(mains, "|") == strings.Join(want, "|")
}

// slowestStep returns the longest time between two runs of main() in the
// app's log: on a machine so loaded that it exceeds relaunchWindow, a
// quick chain legitimately starts again at generation 1.
func slowestStep(log string) time.Duration {
	var times []int64
	for _, line := range strings.Split(log, "\n") {
		var pid int
		var ms int64
		if n, _ := fmt.Sscanf(line, "pid=%d ms=%d main", &pid, &ms); n == 2 {
			times = append(times, ms)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	var slowest int64
	for i := 1; i < len(times); i++ {
		if d := times[i] - times[i-1]; d > slowest {
			slowest = d
		}
	}
	return time.Duration(slowest) * time.Millisecond
}

// checkRefusals checks the guard's lines on stderr: none when refusal is
// empty, otherwise each names refusal and the fix (exactly one if once).
func checkRefusals(t *testing.T, stderr, refusal string, once bool) {
	t.Helper()
	var lines []string
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, "bundle runtime") {
			lines = append(lines, line)
		}
	}
	switch {
	case refusal == "" && len(lines) > 0:
		t.Errorf("unexpected guard lines: %q", lines)
	case refusal != "" && len(lines) == 0:
		t.Errorf("no refusal on stderr, want one naming %q", refusal)
	case once && len(lines) != 1:
		t.Errorf("%d guard lines, want 1: %q", len(lines), lines)
	}
	for _, line := range lines {
		if refusal != "" && (!strings.Contains(line, refusal) || !strings.Contains(line, fixPattern) || !strings.HasPrefix(line, "bundle runtime guard: refused")) {
			t.Errorf("refusal %q does not name %q and the fix %q", line, refusal, fixPattern)
		}
	}
}

// buildRelaunch builds testdata/relaunch for goos with the guard's
// build-time mode set as the bundler sets it, so that it holds in children
// whose environment was cleared.
func buildRelaunch(t *testing.T, root, goos, mode string) string {
	t.Helper()
	exe := filepath.Join(root, goos+"-"+mode, "relaunch")
	env := append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOOS="+goos)
	if goos == "windows" {
		exe += ".exe"
		env = append(env, "GOARCH=amd64")
	}
	cmd := exec.Command("go", "build", "-ldflags", "-X github.com/bundlekit/bundle/runtimehooks/worker.buildGuard="+mode, "-o", exe, "./testdata/relaunch")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return exe
}

// scenarioOutcome is what runScenario observed.
type scenarioOutcome struct {
	mains    []string      // runs of main(), sorted
	maxAlive int           // most app processes seen alive at once
	settle   time.Duration // from the start to the last app process seen
	killed   bool          // the harness killed what was left at its time limit
	log      string
	stderr   string
}

// runScenario starts exe in scenario sc as a user would (no lineage from
// this process, no guard override), samples /proc every millisecond or so until no
// process of the app has been seen for a while, and kills whatever is left
// should that take too long.
func runScenario(t *testing.T, exe, dir string, sc relaunchScenario) scenarioOutcome {
	t.Helper()
	const (
		quiet = 300 * time.Millisecond // no app process for this long: settled
		limit = 20 * time.Second
	)
	prefix := filepath.Dir(exe) + string(filepath.Separator)
	t.Cleanup(func() { killAll(prefix) })
	errPath := filepath.Join(dir, "stderr")
	errFile, err := os.Create(errPath)
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close()
	start := func(scenario string) chan error {
		cmd := exec.Command(exe, dir, scenario, "0")
		cmd.Env = withoutKey(nil, envGuard)
		withoutLineage(t, cmd)
		cmd.Stdout, cmd.Stderr = errFile, errFile
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		done := make(chan error, 1)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { done <- cmd.Wait() }()
		return done
	}

	var out scenarioOutcome
	began := time.Now()
	var lastSeen time.Duration
	rootDone := start(sc.name)
	var stopDone chan error
	running := 2 // root, and the stop command if the scenario has one
	if !sc.stop {
		running = 1
	}
	for {
		alive := appProcesses(prefix)
		now := time.Since(began)
		out.maxAlive = max(out.maxAlive, alive)
		if alive > 0 {
			lastSeen = now
		}
		select {
		case <-rootDone:
			running--
			rootDone = nil
			if sc.stop {
				stopDone = start("detach-stop")
			}
		case <-stopDone:
			running--
			stopDone = nil
		default:
		}
		if running == 0 && alive == 0 && now-lastSeen >= quiet {
			break
		}
		if now > limit {
			t.Errorf("still running after %v; killing", limit)
			killAll(prefix)
			break
		}
		time.Sleep(time.Millisecond)
	}
	out.settle = lastSeen
	data, _ := os.ReadFile(filepath.Join(dir, "main.log"))
	out.log = string(data)
	for _, line := range strings.Split(out.log, "\n") {
		if _, rest, ok := strings.Cut(line, " main n="); ok {
			n, scenario, _ := strings.Cut(rest, " scenario=")
			out.mains = append(out.mains, n+" "+scenario)
		}
	}
	sort.Strings(out.mains)
	data, _ = os.ReadFile(errPath)
	out.stderr = string(data)
	return out
}

// appProcesses counts the running processes whose executable lies under
// prefix (the program, and its links and copies).
func appProcesses(prefix string) int {
	count := 0
	for _, pid := range appPids(prefix) {
		if pid != os.Getpid() {
			count++
		}
	}
	return count
}

func appPids(prefix string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if target, err := os.Readlink("/proc/" + e.Name() + "/exe"); err == nil && strings.HasPrefix(target, prefix) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// killAll kills every process of the app: the safety net should the
// guard fail.
func killAll(prefix string) {
	for _, pid := range appPids(prefix) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}
