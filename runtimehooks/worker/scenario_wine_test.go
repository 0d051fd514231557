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
const wineParallel = 8

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
	for _, r := range runs {
		dir := filepath.Join(root, r.mode+"-"+r.sc.name)
		wg.Add(1)
		slots <- struct{}{}
		go func(r *run) {
			defer wg.Done()
			defer func() { <-slots }()
			r.out, r.err = runWineScenario(w, procs, exes[r.mode], dir, r.sc)
		}(r)
	}
	wg.Wait()
	t.Logf("%d scenario runs in %v", len(runs), time.Since(began).Round(time.Millisecond))
	for _, r := range runs {
		t.Run(r.mode+"/"+r.sc.name, func(t *testing.T) {
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.out.killed {
				t.Errorf("still running after %v; killed", wineScenarioLimit)
			}
			checkScenario(t, r.mode, r.sc, r.out)
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

// runWineScenario runs a copy of exe (its own, so that scenarios running
// at once can be told apart by path) in dir, in scenario sc, as a user
// would: no lineage, no guard override. It watches the app's processes
// until none has been seen for a while.
func runWineScenario(w *wine, procs *procSampler, exe, dir string, sc relaunchScenario) (scenarioOutcome, error) {
	// Wine starts a process in some 100 ms, and a process that starts one
	// through cmd /c start appears a little after its starter is gone.
	const quiet = time.Second
	var out scenarioOutcome
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return out, err
	}
	app := filepath.Join(dir, filepath.Base(exe))
	data, err := os.ReadFile(exe)
	if err != nil {
		return out, err
	}
	if err := os.WriteFile(app, data, 0o755); err != nil {
		return out, err
	}
	prefix := dir + "/"
	defer procs.kill(prefix)
	errPath := filepath.Join(dir, "stderr")
	errFile, err := os.Create(errPath)
	if err != nil {
		return out, err
	}
	defer errFile.Close()
	start := func(scenario string) (chan error, error) {
		// A file, not a pipe: Wine's helper processes would keep a pipe
		// open after the program ends.
		cmd := exec.Command("wine", winePath(app), winePath(dir), scenario, "0")
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
		alive, seq = procs.next(seq, prefix)
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
			procs.kill(prefix)
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

// procSampler lists the processes of this machine by the path of their
// executable every few milliseconds, once for every scenario running at
// once: each reading every /proc/<pid>/cmdline every millisecond would
// take the CPU from the processes under test.
type procSampler struct {
	mu    sync.Mutex
	cond  *sync.Cond
	seq   int
	paths map[int]string // pid: the executable's path as a Unix path, lower case
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
		paths := processPaths()
		s.mu.Lock()
		s.paths, s.seq = paths, s.seq+1
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

// next waits for a sample newer than seq and counts its processes whose
// executable lies under prefix.
func (s *procSampler) next(seq int, prefix string) (count, newSeq int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.seq <= seq {
		s.cond.Wait()
	}
	return len(appPidsByPath(s.paths, prefix)), s.seq
}

// kill kills every process of the app under prefix: the safety net
// should the guard fail.
func (s *procSampler) kill(prefix string) {
	for _, pid := range appPidsByPath(processPaths(), prefix) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

func appPidsByPath(paths map[int]string, prefix string) []int {
	prefix = strings.ToLower(prefix)
	var pids []int
	for pid, path := range paths {
		if strings.HasPrefix(path, prefix) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// processPaths returns the first word of every process's command line,
// which for a Windows program under Wine is the Windows path of its
// executable, as a lower-case Unix path.
func processPaths() map[int]string {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	paths := make(map[int]string, len(entries))
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || len(cmdline) == 0 {
			continue
		}
		argv0, _, _ := bytes.Cut(cmdline, []byte{0})
		path := strings.ToLower(string(argv0))
		if rest, ok := strings.CutPrefix(path, `z:\`); ok {
			path = "/" + strings.ReplaceAll(rest, `\`, "/")
		}
		paths[pid] = path
	}
	return paths
}
