//go:build linux

package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bundlekit/bundle/internal/testcert"
	"github.com/bundlekit/bundle/internal/testfs"
	"github.com/bundlekit/bundle/internal/testtool"
)

// interruptSeed makes the random interrupt points of a run repeatable; set
// BUNDLE_INTERRUPT_SEED to replay another.
func interruptSeed(t *testing.T) *rand.Rand {
	seed := uint64(20260127)
	if s := os.Getenv("BUNDLE_INTERRUPT_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("BUNDLE_INTERRUPT_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("seed %d (BUNDLE_INTERRUPT_SEED)", seed)
	return rand.New(rand.NewPCG(seed, seed))
}

// TestInterruptedBuildStopsCleanly sends SIGINT or SIGTERM to bundle build
// (every target and format of examples/hello: go build, makensis, wixl and
// the pure-Go packages) at random points and checks each time: exit code
// 130 or 143 within two seconds of the signal, no process of the build
// left, nothing in TMPDIR (no bundle-* or go-build* folder), no .syso in the project, no
// unfinished file in dist, and one line on stderr.
func TestInterruptedBuildStopsCleanly(t *testing.T) {
	testtool.Need(t, "nsis wixl", "makensis", "wixl")
	dir := testfs.CopyProject(t, "examples/hello")
	env := []string{epoch}
	args := []string{"--target", "linux/amd64,windows/amd64,darwin/arm64"}
	warm := wholeBuild(t, dir, env, nil, args...)
	rng := interruptSeed(t)
	interruptAtRandom(t, rng, 8, dir, env, nil, warm.elapsed, args...)
}

// TestInterruptedSignedBuildLeavesNoSecret interrupts builds that sign
// with sign.windows (a PFX with a password, made in the test) and sign.gpg
// (a key with a passphrase): besides everything
// TestInterruptedBuildStopsCleanly checks, neither secret is ever in the
// environment or on the command line of a program the build runs (go,
// makensis, wixl, osslsigncode, openssl, the `bundle sign-file` makensis
// runs, …), sampled from /proc while the build runs, nor in any file left
// in TMPDIR or dist.
func TestInterruptedSignedBuildLeavesNoSecret(t *testing.T) {
	testtool.Need(t, "nsis wixl osslsigncode openssl gnupg", "makensis", "wixl", "osslsigncode", "openssl", "gpg")
	const password, passphrase = "pfx-Secret-4f1c9a", "gpg-Secret-77d2e0"
	dir := testfs.CopyProject(t, "examples/hello")
	cert, err := testcert.Write(t.TempDir(), password, time.Unix(1767225600, 0))
	if err != nil {
		t.Fatal(err)
	}
	pfx, _ := os.ReadFile(cert.PFX)
	testfs.WriteFile(t, filepath.Join(dir, "keys", "codesign.pfx"), string(pfx))
	home := t.TempDir()
	gpg := exec.Command("gpg", "--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", passphrase,
		"--quick-gen-key", "bundle test <test@example.com>", "rsa2048", "sign", "never")
	if out, err := gpg.CombinedOutput(); err != nil {
		t.Fatalf("gpg: %v\n%s", err, out)
	}
	key, err := exec.Command("gpg", "--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", passphrase,
		"--armor", "--export-secret-keys").Output()
	if err != nil {
		t.Fatal(err)
	}
	testfs.WriteFile(t, filepath.Join(dir, "keys", "signing.asc"), string(key))
	cfg, _ := os.ReadFile(filepath.Join(dir, "bundle.yaml"))
	testfs.WriteFile(t, filepath.Join(dir, "bundle.yaml"), string(cfg)+"sign:\n"+
		"  windows:\n    pfx_file: keys/codesign.pfx\n    password_env: TEST_PFX_PASSWORD\n"+
		"  gpg:\n    key_file: keys/signing.asc\n    passphrase_env: TEST_GPG_PASSPHRASE\n")
	env := []string{epoch, "TEST_PFX_PASSWORD=" + password, "TEST_GPG_PASSPHRASE=" + passphrase}
	secrets := []string{password, passphrase}
	args := []string{"--target", "windows/amd64,linux/amd64"}

	// One whole build first: the uninstaller is signed by `bundle sign-file`,
	// run by makensis, which must get the password without it being in its
	// environment.
	warm := wholeBuild(t, dir, env, secrets, args...)
	if !slices.ContainsFunc(warm.seen, func(p procInfo) bool { return strings.Contains(p.cmdline, "sign-file") }) {
		t.Error("never saw the `bundle sign-file` that signs the uninstaller")
	}
	rng := interruptSeed(t)
	interruptAtRandom(t, rng, 6, dir, env, secrets, warm.elapsed, args...)
}

// wholeBuild makes sure the build cache holds hello's packages (through
// helloBuild), then runs one whole build under watch and returns it: how
// long a build takes when nothing stops it.
func wholeBuild(t *testing.T, dir string, env, secrets []string, args ...string) watched {
	t.Helper()
	helloBuild(t)
	w := runWatched(t, dir, env, secrets, 0, 0, args...)
	if w.code != 0 {
		t.Fatalf("build under watch: exit %d\n%s", w.code, w.stderr)
	}
	t.Logf("a whole build takes %s", w.elapsed.Round(time.Millisecond))
	return w
}

// interruptAtRandom interrupts builds, alternating SIGINT and SIGTERM,
// each after a random delay up to most of a whole build's time, until n
// signals have landed during a build. A build that ends before its signal
// does not count, and its time becomes the bound when it is shorter: the
// first whole build may have been slower (a colder cache, a busier
// machine), and no timing may make the test pass or fail by itself.
func interruptAtRandom(t *testing.T, rng *rand.Rand, n int, dir string, env, secrets []string, full time.Duration, args ...string) {
	t.Helper()
	landed := 0
	during := map[string]int{}
	for i := 0; landed < n; i++ {
		if i == 3*n {
			t.Fatalf("only %d of %d interrupts landed during the build in %d tries", landed, n, i)
		}
		sig := syscall.SIGINT
		if i%2 == 1 {
			sig = syscall.SIGTERM
		}
		delay := 100*time.Millisecond + time.Duration(rng.Int64N(int64(full*9/10)))
		r := runWatched(t, dir, env, secrets, sig, delay, args...)
		if r.finishedFirst {
			t.Logf("run %d: the build ended before %v after %s", i, sig, delay)
			full = min(full, r.elapsed)
			continue
		}
		landed++
		for _, c := range r.atSignal {
			during[c]++
		}
		t.Logf("run %d: %v after %s, while %s ran; exit %d %s later", i, sig, delay.Round(time.Millisecond), strings.Join(r.atSignal, " "), r.code, r.stopped.Round(time.Millisecond))
	}
	t.Logf("%d interrupts landed during the build; programs running when they did: %v", landed, during)
}

// watched is one run of bundle build under watch.
type watched struct {
	code          int
	stderr        string
	elapsed       time.Duration // start to exit
	stopped       time.Duration // signal to exit
	finishedFirst bool          // the build ended before the signal was sent
	atSignal      []string      // names of the build's programs running when the signal was sent
	seen          []procInfo    // every process of the build's tree
}

// procInfo identifies one process for its whole life: a pid is reused,
// a pid with its start time is not.
type procInfo struct {
	pid     int
	start   string
	comm    string
	cmdline string
}

// runWatched runs bundle build in dir with its own TMPDIR and dist,
// samples its process tree from /proc until it exits (failing the test if
// a secret is in the environment or command line of any process of it),
// and, when sig is not 0, sends sig after delay. It then checks what an
// interrupted (or whole) build leaves behind.
func runWatched(t *testing.T, dir string, env, secrets []string, sig syscall.Signal, delay time.Duration, args ...string) watched {
	t.Helper()
	tmp := filepath.Join(t.TempDir(), "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	dist := filepath.Join(t.TempDir(), "dist")
	cmd := exec.Command(bundleBin, append([]string{"build", "--dist", dist}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), env...), "TMPDIR="+tmp)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	w := &treeWatch{root: cmd.Process.Pid, secrets: secrets, seen: map[procInfo]bool{}}
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			w.sample()
			select {
			case <-stopSampling:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()

	var r watched
	var err error
	var signalled time.Time
	if sig != 0 {
		select {
		case err = <-exited:
			r.finishedFirst = true
		case <-time.After(delay):
			r.atSignal = w.running()
			signalled = time.Now()
			cmd.Process.Signal(sig)
			select {
			case err = <-exited:
			case <-time.After(10 * time.Second):
				syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
				err = <-exited
				t.Errorf("%v: bundle still ran 10 s after the signal", sig)
			}
			r.stopped = time.Since(signalled)
		}
	} else {
		err = <-exited
	}
	r.elapsed = time.Since(start)
	close(stopSampling)
	<-sampled
	r.code = cmd.ProcessState.ExitCode()
	if err != nil && r.code < 0 {
		t.Errorf("bundle ended by a signal it did not handle: %v", err)
	}
	r.stderr = stderr.String()
	r.seen = w.list()
	for _, leak := range w.leaks {
		t.Error(leak)
	}

	interrupted := sig != 0 && !r.finishedFirst
	if interrupted {
		want, name := 130, "SIGINT"
		if sig == syscall.SIGTERM {
			want, name = 143, "SIGTERM"
		}
		if r.code != want {
			t.Errorf("%s: exit %d, want %d\n%s", name, r.code, want, r.stderr)
		}
		if r.stopped > 2*time.Second {
			t.Errorf("%s: bundle took %s to stop", name, r.stopped)
		}
		if line := "bundle: interrupted (" + name + "); nothing half-written was left in dist\n"; r.stderr != line {
			t.Errorf("%s: stderr is not the one line %q:\n%s", name, line, r.stderr)
		}
		// Every process of the build is gone two seconds after the signal.
		deadline := signalled.Add(2 * time.Second)
		for _, p := range r.seen {
			for p.alive() && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if p.alive() {
				t.Errorf("%s: %s (pid %d) of the build still runs 2 s after the signal", name, p.comm, p.pid)
				syscall.Kill(p.pid, syscall.SIGKILL)
			}
		}
	}

	// What is left on disk.
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		// go-build* too: bundle points the go command's GOTMPDIR into its
		// work folder.
		t.Errorf("%s is left in TMPDIR:\n%s", e.Name(), listTree(t, filepath.Join(tmp, e.Name())))
	}
	if sysos, _ := filepath.Glob(filepath.Join(dir, "zz_bundle_*.syso")); len(sysos) > 0 {
		t.Errorf("left in the project: %v", sysos)
	}
	entries, _ = os.ReadDir(dist)
	for _, e := range entries {
		if isTemp(e.Name()) {
			t.Errorf("unfinished file %s left in dist", e.Name())
		}
	}
	for _, folder := range []string{tmp, dist} {
		filepath.WalkDir(folder, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			data, _ := os.ReadFile(p)
			for _, s := range secrets {
				if bytes.Contains(data, []byte(s)) {
					t.Errorf("a secret is on disk in %s", p)
				}
			}
			return nil
		})
	}
	for _, s := range secrets {
		if strings.Contains(stdout.String()+r.stderr, s) {
			t.Error("a secret is in bundle's output")
		}
	}
	return r
}

// treeWatch samples a process tree from /proc.
type treeWatch struct {
	root    int
	secrets []string

	mu    sync.Mutex
	seen  map[procInfo]bool
	live  []procInfo // as of the last sample
	leaks []string
}

// sample records every live descendant of root and checks its environment
// and command line for the secrets. A process that exec's another program
// (sh exec'ing bundle sign-file) keeps its pid, so each sample reads them
// again.
func (w *treeWatch) sample() {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, _, _, ok := procStat(pid); ok {
			children[ppid] = append(children[ppid], pid)
		}
	}
	// Between fork and exec a child of bundle is still a copy of it, with
	// its command line and its environment, which holds the secrets the
	// user gave it: those are not programs the build runs.
	rootCmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", w.root))
	var live []procInfo
	var walk func(int)
	walk = func(pid int) {
		for _, c := range children[pid] {
			_, start, state, ok := procStat(c)
			if ok && state != "Z" && state != "X" {
				comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", c))
				cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c))
				environ, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", c))
				p := procInfo{pid: c, start: start, comm: strings.TrimSpace(string(comm)), cmdline: strings.ReplaceAll(string(cmdline), "\x00", " ")}
				live = append(live, p)
				if bytes.Equal(cmdline, rootCmdline) {
					walk(c)
					continue
				}
				for _, s := range w.secrets {
					if bytes.Contains(environ, []byte(s)) || bytes.Contains(cmdline, []byte(s)) {
						leak := fmt.Sprintf("a secret is in the environment or command line of %s (pid %d): %s", p.comm, c, p.cmdline)
						w.mu.Lock()
						if !slices.Contains(w.leaks, leak) {
							w.leaks = append(w.leaks, leak)
						}
						w.mu.Unlock()
					}
				}
			}
			walk(c)
		}
	}
	walk(w.root)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range live {
		w.seen[p] = true
	}
	w.live = live
}

// running names the programs alive at the last sample.
func (w *treeWatch) running() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var names []string
	for _, p := range w.live {
		if !slices.Contains(names, p.comm) {
			names = append(names, p.comm)
		}
	}
	slices.Sort(names)
	return names
}

func (w *treeWatch) list() []procInfo {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []procInfo
	for p := range w.seen {
		out = append(out, p)
	}
	return out
}

// alive reports whether the process still runs: its pid exists with the
// same start time and is not a zombie.
func (p procInfo) alive() bool {
	_, start, state, ok := procStat(p.pid)
	return ok && start == p.start && state != "Z" && state != "X"
}

// procStat reads a process's parent, start time and state from
// /proc/<pid>/stat; the name in parentheses may hold spaces.
func procStat(pid int) (ppid int, start, state string, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, "", "", false
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 20 {
		return 0, "", "", false
	}
	ppid, err = strconv.Atoi(fields[1])
	// fields[0] is the state (stat field 3); the start time is field 22.
	return ppid, fields[19], fields[0], err == nil
}

// TestSecondSignalExitsAtOnce interrupts a build and, while it stops,
// sends a second signal: bundle exits at once with that signal's code.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	dir := testfs.CopyProject(t, "examples/hello")
	cmd := exec.Command(bundleBin, "build", "--dist", t.TempDir(), "--target", "linux/amd64,linux/arm64,windows/amd64", "--format", "tar.gz,zip")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), epoch, "TMPDIR="+t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	// Signal once the build runs a program of its own (go): with a warm
	// cache the whole build takes well under a second, so a fixed delay
	// could miss it.
	if !waitForChild(cmd.Process.Pid, 5*time.Second) {
		t.Fatal("bundle started no program within 5 s")
	}
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(2 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Fatal("bundle still ran 2 s after two signals")
	}
	if code := cmd.ProcessState.ExitCode(); code != 143 {
		t.Errorf("exit %d after SIGINT and SIGTERM, want 143", code)
	}
}

// waitForChild waits until process pid has a child.
func waitForChild(pid int, limit time.Duration) bool {
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(2 * time.Millisecond) {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			if child, err := strconv.Atoi(e.Name()); err == nil {
				if ppid, _, _, ok := procStat(child); ok && ppid == pid {
					return true
				}
			}
		}
	}
	return false
}
