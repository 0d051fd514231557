//go:build linux

package worker

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The scenario tests run testdata/relaunch, built with the guard in a
// mode, as real processes: every run in a jail of its own (a pids cgroup,
// or a throw-away user with RLIMIT_NPROC; see internal/jail), so that a
// broken guard cannot take the machine down. A sampler reads /proc every
// few milliseconds and counts each run's processes by name.

// Patterns the guard's lines must name.
const (
	nestedPattern = "nested: its starter"
	growthPattern = "another copy has taken that place in the run"
	workerPattern = "started by a worker of the same program"
	refusePattern = "refused to run main() again"
	fixPattern    = "relaunch with worker.Command"
)

// scenarioRun is one run of the app.
type scenarioRun struct {
	name  string   // the subtest's name
	build string   // which build of the app (see scenarioBuilds)
	args  []string // after <dir>
	watch time.Duration
	then  []string // arguments of a second run, started once the first has printed "started" (detach-stop)

	out  scenarioOutcome
	err  error
	app  string // the name its processes have
	exe  string
	dir  string
	root string
}

// scenarioOutcome is what a run did.
type scenarioOutcome struct {
	code     int           // exit status of the first run (137: killed at the end of the watch)
	maxAlive int           // most app processes alive at once
	mains    int           // runs of main()
	took     time.Duration // until the last app process ended
	stdout   string
	stderr   string
	log      string
}

// guardLines returns the guard's lines in the run's stderr. Many
// processes share that pipe: under Wine, a fragment of Wine's own
// diagnostics ("wine client error:160: ") may come before a line, and is
// cut off.
func (o scenarioOutcome) guardLines() []string {
	var lines []string
	for _, line := range strings.Split(o.stderr, "\n") {
		if i := strings.Index(line, "bundle runtime"); i >= 0 {
			lines = append(lines, line[i:])
		}
	}
	return lines
}

// sortedStdout returns the run's output lines, sorted: the copies of a
// prefork server print side by side.
func (o scenarioOutcome) sortedStdout() string {
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(o.stdout, "\r\n", "\n")), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// scenarioHost starts runs: on Linux directly, under Wine through wine.
type scenarioHost struct {
	goos    string
	jail    string
	command func(exe string, args ...string) []string // the command line that runs exe
	env     []string
	path    func(string) string // how the app sees a path of this machine
}

// runScenarios runs every run, parallel at once, and fills in their
// outcomes.
func runScenarios(t *testing.T, host *scenarioHost, exes map[string]string, runs []*scenarioRun, parallel int) {
	t.Helper()
	root := t.TempDir()
	procs := newProcSampler()
	defer procs.stop()
	slots := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	began := time.Now()
	for i, r := range runs {
		r.app = fmt.Sprintf("r%03d", i)
		r.root = root
		r.dir = filepath.Join(root, r.app+".d")
		r.exe = filepath.Join(root, r.app)
		if host.goos == "windows" {
			r.exe += ".exe"
		}
		if err := os.Mkdir(r.dir, 0o777); err != nil {
			t.Fatal(err)
		}
		// A copy per run: the processes of runs that go on at once are
		// told apart by name, and the guard counts a program's processes
		// by file.
		if err := copyExe(exes[r.build], r.exe); err != nil {
			t.Fatal(err)
		}
	}
	for _, helper := range []string{"launcher", "launch.exe"} {
		if exe, ok := exes[helper]; ok {
			if err := copyExe(exe, filepath.Join(root, helper)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The launcher stands for sudo and pkexec, which are setuid programs:
	// the guard reads a setuid parent's environment.
	if err := os.Chmod(filepath.Join(root, "launcher"), os.ModeSetuid|0o755); err != nil && exes["launcher"] != "" {
		t.Fatal(err)
	}
	os.Chmod(root, 0o777) // the fallback jail runs the app as another user
	for _, r := range runs {
		wg.Add(1)
		slots <- struct{}{}
		go func(r *scenarioRun) {
			defer wg.Done()
			defer func() { <-slots }()
			r.out, r.err = runScenario(host, procs, r)
		}(r)
	}
	wg.Wait()
	t.Logf("%d scenario runs in %v", len(runs), time.Since(began).Round(time.Millisecond))
}

// sortByWatch puts the runs that may take longest first.
func sortByWatch(runs []*scenarioRun) {
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].watch > runs[j].watch })
}

func copyExe(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o755)
}

// runScenario runs r in a jail of its own, as a user would start the app
// (no lineage, no guard override), and watches its processes until the
// jail has ended them all.
func runScenario(host *scenarioHost, procs *procSampler, r *scenarioRun) (scenarioOutcome, error) {
	var out scenarioOutcome
	stdout, err := os.Create(filepath.Join(r.dir, "stdout"))
	if err != nil {
		return out, err
	}
	defer stdout.Close()
	stderr, err := os.Create(filepath.Join(r.dir, "stderr"))
	if err != nil {
		return out, err
	}
	defer stderr.Close()
	start := func(args []string) (*exec.Cmd, error) {
		line := append([]string{host.jail, "-tasks", "3000", "-timeout", r.watch.String(), "--"},
			host.command(r.exe, append([]string{host.path(r.dir)}, args...)...)...)
		cmd := exec.Command(line[0], line[1:]...)
		cmd.Env = host.env
		// Files, not pipes: processes the app leaves behind (and Wine's)
		// would keep a pipe open.
		cmd.Stdout, cmd.Stderr = stdout, stderr
		return cmd, cmd.Start()
	}
	cmd, err := start(r.args)
	if err != nil {
		return out, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	began := time.Now()
	then := r.then
	var thenDone chan error
	for seq := 0; done != nil || thenDone != nil; {
		var alive int
		alive, seq = procs.next(seq, r.app)
		out.maxAlive = max(out.maxAlive, alive)
		if alive > 0 {
			out.took = time.Since(began)
		}
		if then != nil {
			if data, _ := os.ReadFile(stdout.Name()); bytes.Contains(data, []byte("started")) {
				second, err := start(then)
				if err != nil {
					return out, err
				}
				thenDone = make(chan error, 1)
				go func() { thenDone <- second.Wait() }()
				then = nil
			}
		}
		select {
		case err := <-done:
			out.code = exitCodeOf(err)
			done = nil
		case <-thenDone:
			thenDone = nil
		default:
		}
	}
	procs.kill(r.app)
	data, _ := os.ReadFile(filepath.Join(r.dir, "stdout"))
	out.stdout = string(data)
	data, _ = os.ReadFile(filepath.Join(r.dir, "stderr"))
	out.stderr = strings.ReplaceAll(string(data), "\r\n", "\n")
	data, _ = os.ReadFile(filepath.Join(r.dir, "main.log"))
	out.log = string(data)
	out.mains = strings.Count(out.log, " main scenario=")
	return out, nil
}

// buildRelaunch builds testdata/relaunch for goos with the guard's
// build-time settings as the bundler sets them, so that they hold in
// children whose environment was cleared.
func buildRelaunch(t *testing.T, root, goos, mode, maxProcs string) string {
	t.Helper()
	name := "relaunch-" + mode + "-" + maxProcs
	const pkg = "github.com/bundlekit/bundle/runtimehooks/worker"
	flags := "-X " + pkg + ".buildGuard=" + mode
	if maxProcs != "" {
		flags += " -X " + pkg + ".buildMaxProcs=" + maxProcs
	}
	return goBuild(t, root, goos, name, "./testdata/relaunch", "-ldflags", flags)
}

// goBuild builds a package of this module for goos (amd64 for Windows).
func goBuild(t *testing.T, root, goos, name, pkg string, flags ...string) string {
	t.Helper()
	exe := filepath.Join(root, goos, name)
	env := append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOOS="+goos)
	if goos == "windows" {
		exe += ".exe"
		env = append(env, "GOARCH=amd64")
	}
	args := append(append([]string{"build"}, flags...), "-o", exe, pkg)
	cmd := exec.Command("go", args...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return exe
}

// requireJail builds the jail, and skips the test when it cannot jail
// anything here (no pids cgroup and not root), or fails it when CI=true.
func requireJail(t *testing.T, root string) string {
	t.Helper()
	jail := goBuild(t, root, "linux", "jail", "../internal/jail")
	if err := exec.Command(jail, "--", "true").Run(); err != nil {
		msg := fmt.Sprintf("cannot jail the scenarios (%v): run as root, or where a pids cgroup can be made", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return jail
}

// cleanEnv returns this process's environment without the runtime's
// variables, as a user's shell has it.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BUNDLE_RT_") {
			env = append(env, kv)
		}
	}
	return env
}

// procSampler lists the processes of this machine by name every few
// milliseconds, once for every scenario running at once. It reads
// /proc/<pid>/stat, whose name field is the executable's file name (under
// Wine, the Windows executable's); unlike /proc/<pid>/cmdline, reading it
// does not wait for a process that is busy mapping memory.
type procSampler struct {
	mu    sync.Mutex
	cond  *sync.Cond
	seq   int
	names map[int]string // pid: process name
	done  chan struct{}
}

func newProcSampler() *procSampler {
	s := &procSampler{done: make(chan struct{})}
	s.cond = sync.NewCond(&s.mu)
	go s.loop()
	return s
}

func (s *procSampler) loop() {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		names := processNames()
		s.mu.Lock()
		s.names, s.seq = names, s.seq+1
		s.cond.Broadcast()
		s.mu.Unlock()
		select {
		case <-s.done:
			return
		case <-tick.C:
		}
	}
}

func (s *procSampler) stop() { close(s.done) }

// next waits for a sample newer than seq and counts its processes of app.
func (s *procSampler) next(seq int, app string) (count, newSeq int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.seq <= seq {
		s.cond.Wait()
	}
	return len(appNamed(s.names, app)), s.seq
}

// kill kills every process of app: the safety net should the jail miss one.
func (s *procSampler) kill(app string) {
	for _, pid := range appNamed(processNames(), app) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// appNamed returns the processes of app: app (app.exe) and its links and
// copies, app-* (the kernel keeps 15 bytes of a name).
func appNamed(names map[int]string, app string) []int {
	var pids []int
	for pid, name := range names {
		if name == app || name == app+".exe" || strings.HasPrefix(name, app+"-") {
			pids = append(pids, pid)
		}
	}
	return pids
}

// processNames returns the name of every live process with more than one
// thread. That leaves out a fork that has not yet run exec, which has its
// parent's name (and only the thread that forked) for a moment, and
// zombies. A Go program, and a Wine process, has more threads from its
// start, before its guard runs.
func processNames() map[int]string {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	names := make(map[int]string, len(entries))
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		// "pid (name) state ppid ... num_threads ...": the name may hold
		// spaces and parentheses.
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
		if open < 0 || end < open {
			continue
		}
		const threadsField = 20 - 3 // fields 1 and 2 are before the ')', and we count from 0
		fields := strings.Fields(string(stat[end+1:]))
		if len(fields) <= threadsField || fields[0] == "Z" {
			continue
		}
		if threads, _ := strconv.Atoi(fields[threadsField]); threads > 1 {
			names[pid] = string(stat[open+1 : end])
		}
	}
	return names
}

// naiveCase is a naive relaunch and what the guard must make of it.
type naiveCase struct {
	way      string
	shape    string // nested or relay
	k        int
	delay    time.Duration
	hold     time.Duration
	unlinked bool // nothing links a copy to its starter once the starter exits
}

func (c naiveCase) args() []string {
	return []string{"naive", c.way, c.shape, strconv.Itoa(c.k), strconv.FormatInt(c.delay.Milliseconds(), 10), strconv.FormatInt(c.hold.Milliseconds(), 10)}
}

func (c naiveCase) String() string {
	return fmt.Sprintf("%s/%s-k%d/%v", c.way, c.shape, c.k, c.delay)
}

// checkNaive checks a naive run under mode against the bounds the package
// doc promises, and logs a row of the results table.
func checkNaive(t *testing.T, mode string, c naiveCase, o scenarioOutcome) {
	t.Helper()
	t.Logf("| %s | %s | %d alive | %d runs of main() | %v |", mode, c, o.maxAlive, o.mains, o.took.Round(time.Millisecond))
	lines := o.guardLines()
	k := c.k
	relay := c.shape == "relay" || c.way == "doublefork" // the launcher exits: a relay
	fail := func(format string, args ...any) {
		t.Errorf(format+"\nlog:\n%s\nstderr:\n%s", append(args, o.log, o.stderr)...)
	}
	switch {
	case mode == modeOff:
		if o.mains < 10 {
			fail("unguarded: %d runs of main(), want the runaway the guard exists for", o.mains)
		}
	case mode == modeRefuse && c.way == "exec":
		if o.mains != 2 {
			fail("refuse, in place: %d runs of main(), want 2 (one exec is let through)", o.mains)
		}
	case mode == modeRefuse:
		if o.mains != 1 || o.maxAlive > 1+k {
			fail("refuse: %d runs of main() and %d alive, want 1 and at most %d", o.mains, o.maxAlive, 1+k)
		}
	case c.way == "exec":
		// In place: one process, whatever it does.
		if o.maxAlive > 1 || len(lines) > 0 {
			fail("in place: %d alive and guard lines %q, want 1 and none", o.maxAlive, lines)
		}
	case c.unlinked:
		if bound := ceilingFactor * 8 * (1 + k); o.maxAlive > bound {
			fail("%d alive at once, want at most %d (the ceiling of a program built with max_procs 8)", o.maxAlive, bound)
		}
	case relay && k == 1:
		if o.maxAlive > 2 || len(lines) > 0 {
			fail("a restart loop: %d alive at once and guard lines %q, want at most 2 and none", o.maxAlive, lines)
		}
	case relay:
		if bound := 1 + k + k*k; o.maxAlive > bound {
			fail("%d alive at once, want at most %d", o.maxAlive, bound)
		}
		checkLines(t, lines, growthPattern, nestedPattern)
	default:
		if bound := 1 + k + k*k; o.maxAlive > bound || o.mains != 1+k {
			fail("%d alive at once and %d runs of main(), want at most %d and exactly %d", o.maxAlive, o.mains, bound, 1+k)
		}
		// One copy of place 3 waits for its starter in vain; its
		// siblings find the place taken as they start.
		checkLines(t, lines, nestedPattern, growthPattern)
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, nestedPattern) }) {
			fail("no copy was refused as nested (%q): %q", nestedPattern, lines)
		}
	}
}

// checkLines checks that there is a guard line, and that each is a
// refusal naming one of patterns and the fix.
func checkLines(t *testing.T, lines []string, patterns ...string) {
	t.Helper()
	if len(lines) == 0 {
		t.Errorf("no refusal on stderr, want one naming %q", patterns)
	}
	for _, line := range lines {
		named := false
		for _, p := range patterns {
			named = named || strings.Contains(line, p)
		}
		if !named || !strings.Contains(line, fixPattern) || !strings.HasPrefix(line, "bundle runtime guard: refused") {
			t.Errorf("refusal %q does not name one of %q and the fix %q", line, patterns, fixPattern)
		}
	}
}

// legitCase is a relaunch real programs make on purpose: bundled, it must
// run as it does unguarded.
type legitCase struct {
	name string
	args []string
	then []string
}

func legitCases(shell string, pause time.Duration) []legitCase {
	p := strconv.FormatInt(pause.Milliseconds(), 10)
	cases := []legitCase{
		{"task runner through " + shell, []string{"task", "sh", "8", p}, nil},
		{"task runner directly", []string{"task", "direct", "8", p}, nil},
		{"alias of an alias", []string{"alias", "hi2"}, nil},
		{"alias of an extension script", []string{"alias", "ext"}, nil},
		{"picker whose preview runs the picker", []string{"picker", "outer"}, nil},
		{"daemon with a helper copy", []string{"daemon", p}, nil},
		{"supervisor", []string{"supervise", "child", p}, nil},
		{"supervisor of copies of itself", []string{"supervise", "same", p}, nil},
		{"start and detach, then stop", []string{"detach"}, []string{"detach-stop"}},
		{"self-update three times", []string{"selfupdate", p}, nil},
		{"prefork server", []string{"prefork", "3"}, nil},
		{"restart three times", []string{"restart", p}, nil},
		{"worker.Command three times", []string{"command", "0"}, nil},
	}
	return cases
}

// checkLegit checks that a legitimate run bundled did what the unguarded
// build did: the same exit status and output, and no guard line.
func checkLegit(t *testing.T, bundled, plain scenarioOutcome) {
	t.Helper()
	if bundled.code != plain.code || bundled.sortedStdout() != plain.sortedStdout() {
		t.Errorf("bundled: exit %d, output:\n%s\nunguarded: exit %d, output:\n%s\nbundled stderr:\n%s\nlog:\n%s",
			bundled.code, bundled.stdout, plain.code, plain.stdout, bundled.stderr, bundled.log)
	}
	if lines := bundled.guardLines(); len(lines) > 0 {
		t.Errorf("guard lines: %q", lines)
	}
	if strings.TrimSpace(plain.stdout) == "" {
		t.Errorf("the unguarded run printed nothing: the scenario did not run\nstderr:\n%s", plain.stderr)
	}
}
