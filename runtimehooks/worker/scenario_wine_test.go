//go:build linux

package worker

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
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

// windowsScenarios are the ways a Windows program runs itself again.
func windowsScenarios() []relaunchScenario {
	return relaunchScenarios([]string{"direct", "clearenv", "replaceenv", "forged", "malformed", "cmd", "cmd-clearenv",
		"hardlink", "copy", "doublefork", "relay", "relay-clearenv"},
		[]string{"shellcall-cmd"})
}

// TestWindowsRelaunchScenarios runs testdata/relaunch, built for Windows
// with the guard in mode chain and in mode refuse, under Wine in every
// Windows scenario, and watches its processes in /proc (a Windows process
// under Wine is a Linux process whose command line starts with the
// Windows path of its executable).
func TestWindowsRelaunchScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Windows program and runs it under Wine for about a minute")
	}
	w := requireWine(t)
	root := t.TempDir()
	exes := map[string]string{}
	for _, mode := range []string{modeChain, modeRefuse} {
		exes[mode] = buildRelaunch(t, root, "windows", mode)
	}
	// The intermediate of the double launch, where the app looks for it.
	build := exec.Command("go", "build", "-o", filepath.Join(root, "launch.exe"), "./testdata/launch")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOOS=windows", "GOARCH=amd64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if err := <-w.ready; err != nil {
		t.Fatal(err)
	}

	type run struct {
		mode string
		sc   relaunchScenario
		out  scenarioOutcome
		err  error

		retried string // why the first run was run again; "" when it was not
	}
	var runs []*run
	for _, mode := range []string{modeChain, modeRefuse} {
		for _, sc := range windowsScenarios() {
			runs = append(runs, &run{mode: mode, sc: sc})
		}
	}
	// The slowest first, so that they do not end the test alone.
	sort.SliceStable(runs, func(i, j int) bool {
		return runs[i].sc.name == "selfupdate" && runs[j].sc.name != "selfupdate"
	})
	procs := newProcSampler()
	defer procs.stop()
	slots := make(chan struct{}, wineParallel)
	var wg sync.WaitGroup
	began := time.Now()
	for i, r := range runs {
		dir := filepath.Join(root, r.mode+"-"+r.sc.name)
		app := fmt.Sprintf("w%02d", i)
		wg.Add(1)
		slots <- struct{}{}
		go func(r *run) {
			defer wg.Done()
			defer func() { <-slots }()
			r.out, r.err = runWineScenario(w, procs, exes[r.mode], dir, app, r.sc)
			step := slowestStep(r.out.log)
			if r.err == nil && !sameMains(r.out.mains, r.mode, r.sc) && (step >= relaunchWindow || len(r.out.mains) == 0) {
				// A step slower than the window (a loaded machine, a slow
				// Wine start) begins a new chain, as it should; and a run
				// in which not even the first process ran main() is Wine
				// failing to start the app (seen once on a machine out of
				// memory), which no guard causes. Either says nothing
				// about the guard. Once more.
				r.retried = fmt.Sprintf("a step of the first run took %v", step.Round(time.Millisecond))
				if len(r.out.mains) == 0 {
					r.retried = "no process of the first run ran main()"
				}
				r.out, r.err = runWineScenario(w, procs, exes[r.mode], dir+"-again", app+"a", r.sc)
			}
		}(r)
	}
	wg.Wait()
	t.Logf("%d scenario runs in %v", len(runs), time.Since(began).Round(time.Millisecond))
	for _, r := range runs {
		t.Run(r.mode+"/"+r.sc.name, func(t *testing.T) {
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.retried != "" {
				t.Logf("run again: %s", r.retried)
			}
			if r.out.killed {
				t.Errorf("still running after %v; killed", wineScenarioLimit)
			}
			checkScenario(t, r.mode, r.sc, r.out)
			waits := r.sc.naive && !strings.Contains(r.sc.name, "relay") && r.sc.name != "doublefork"
			if r.mode == modeChain && waits && r.out.maxAlive < 2 {
				// The first generation waits for the second, which waits
				// for the third, for hundreds of milliseconds under Wine.
				t.Errorf("saw at most %d app processes alive at once, want 2 or 3: the harness does not see the processes", r.out.maxAlive)
			}
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

// wineScenarioLimit is how long a scenario may run before the harness
// kills what is left of it.
const wineScenarioLimit = 40 * time.Second

// runWineScenario runs a copy of exe named app.exe in dir, in scenario sc,
// as a user would: no lineage, no guard override. It watches the app's
// processes (app.exe and the links and copies it makes, app-*.exe) until
// none has been seen for a while. The name tells the processes of
// scenarios that run at once apart.
func runWineScenario(w *wine, procs *procSampler, exe, dir, app string, sc relaunchScenario) (scenarioOutcome, error) {
	// Wine starts a process in some 100 ms, and a process that starts one
	// through a launcher appears a little after its starter is gone.
	const quiet = time.Second
	var out scenarioOutcome
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return out, err
	}
	path := filepath.Join(dir, app+".exe")
	data, err := os.ReadFile(exe)
	if err != nil {
		return out, err
	}
	if err := os.WriteFile(path, data, 0o755); err != nil {
		return out, err
	}
	defer procs.kill(app)
	errPath := filepath.Join(dir, "stderr")
	errFile, err := os.Create(errPath)
	if err != nil {
		return out, err
	}
	defer errFile.Close()
	start := func(scenario string) (chan error, error) {
		// A file, not a pipe: Wine's helper processes would keep a pipe
		// open after the program ends.
		cmd := exec.Command("wine", winePath(path), winePath(dir), scenario, "0")
		cmd.Env = w.env
		cmd.Stdout, cmd.Stderr = errFile, errFile
		done := make(chan error, 1)
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		go func() { done <- cmd.Wait() }()
		return done, nil
	}

	began := time.Now()
	var lastSeen time.Duration
	rootDone, err := start(sc.name)
	if err != nil {
		return out, err
	}
	var stopDone chan error
	running := 1
	if sc.stop {
		running = 2 // and the stop command
	}
	for seq := 0; ; {
		var alive int
		alive, seq = procs.next(seq, app)
		now := time.Since(began)
		if alive > out.maxAlive {
			out.maxAlive = alive
		}
		if alive > 0 {
			lastSeen = now
		}
		select {
		case <-rootDone:
			running--
			rootDone = nil
			if sc.stop {
				if stopDone, err = start("detach-stop"); err != nil {
					return out, err
				}
			}
		case <-stopDone:
			running--
			stopDone = nil
		default:
		}
		if running == 0 && alive == 0 && now-lastSeen >= quiet {
			break
		}
		if now > wineScenarioLimit {
			out.killed = true
			procs.kill(app)
			break
		}
	}
	out.settle = lastSeen
	data, _ = os.ReadFile(filepath.Join(dir, "main.log"))
	out.log = string(data)
	for _, line := range strings.Split(out.log, "\n") {
		if _, rest, ok := strings.Cut(line, " main n="); ok {
			n, scenario, _ := strings.Cut(strings.TrimSpace(rest), " scenario=")
			out.mains = append(out.mains, n+" "+scenario)
		}
	}
	sort.Strings(out.mains)
	data, _ = os.ReadFile(errPath)
	out.stderr = strings.ReplaceAll(string(data), "\r\n", "\n")
	return out, nil
}

// procSampler lists the processes of this machine by name every few
// milliseconds, once for every scenario running at once. It reads
// /proc/<pid>/stat, whose name field Wine sets to the name of the Windows
// executable; unlike /proc/<pid>/cmdline, reading it does not wait for a
// process that is busy mapping memory, as starting Wine processes are.
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
	tick := time.NewTicker(5 * time.Millisecond)
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

// kill kills every process of app: the safety net should the guard fail.
func (s *procSampler) kill(app string) {
	for _, pid := range appNamed(processNames(), app) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// appNamed returns the processes of app: app.exe and its links and copies,
// app-*.exe (the kernel keeps 15 bytes of a name).
func appNamed(names map[int]string, app string) []int {
	var pids []int
	for pid, name := range names {
		if name == app+".exe" || strings.HasPrefix(name, app+"-") {
			pids = append(pids, pid)
		}
	}
	return pids
}

// processNames returns the name of every process with more than one
// thread. That leaves out a fork that has not yet run exec, which has its
// parent's name (and only the thread that forked) for a moment: Wine
// starts a program with a double fork, so the fork's parent may be gone
// and init its parent. A Wine process has more threads from its start.
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
		if len(fields) <= threadsField {
			continue
		}
		if threads, _ := strconv.Atoi(fields[threadsField]); threads > 1 {
			names[pid] = string(stat[open+1 : end])
		}
	}
	return names
}
