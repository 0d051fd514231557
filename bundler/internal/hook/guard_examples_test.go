package hook_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bundlekit/bundle/bundler"
	"github.com/bundlekit/bundle/internal/buildtest"
	"github.com/bundlekit/bundle/internal/testfs"
)

// TestDetachExample: start-and-detach behaves the same bundled with the
// default guard as unbundled: start returns at once, the background run
// serves and beats, stop reaches it and it is gone, and nothing is refused.
func TestDetachExample(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"plain", "bundled"} {
		t.Run(how, func(t *testing.T) {
			var exe string
			if how == "plain" {
				exe = plainExe(t, "examples/detach")
			} else {
				exe = bundledExe(t, "examples/detach", buildtest.HostTarget())
			}
			dir := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			// start and the run it leaves behind share one jail, which ends
			// when both have: start has returned once the pid file is there.
			began := time.Now()
			var startOut strings.Builder
			start := jailedCommand(ctx, t, exe, "start", "--dir", dir)
			start.Stdout, start.Stderr = &startOut, &startOut
			if err := start.Start(); err != nil {
				t.Fatal(err)
			}
			jailDone := make(chan error, 1)
			go func() { jailDone <- start.Wait() }()
			var data []byte
			var err error
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if data, err = os.ReadFile(filepath.Join(dir, "detach.pid")); err == nil {
					break
				}
			}
			if err != nil {
				t.Fatalf("start: no pid file after %v: %v\n%s", time.Since(began), err, startOut.String())
			}
			pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if p, err := os.FindProcess(pid); err == nil && alive(pid) {
					p.Kill()
				}
			}()
			log := func() string { b, _ := os.ReadFile(filepath.Join(dir, "detach.log")); return string(b) }

			// The background run answers and its heartbeat advances.
			var addr string
			for deadline := time.Now().Add(5 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				b, _ := os.ReadFile(filepath.Join(dir, "detach.port"))
				addr = strings.TrimSpace(string(b))
			}
			if addr == "" || !alive(pid) {
				t.Fatalf("run (pid %d) is not serving:\n%s", pid, log())
			}
			resp, err := http.Get("http://" + addr)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != "detach: running\n" {
				t.Errorf("GET: %q", body)
			}
			beat := func() int {
				b, _ := os.ReadFile(filepath.Join(dir, "heartbeat"))
				n, _ := strconv.Atoi(string(b))
				return n
			}
			first := beat()
			time.Sleep(400 * time.Millisecond)
			if next := beat(); next <= first {
				t.Errorf("heartbeat stuck at %d → %d", first, next)
			}

			if out, err := jailedCommand(ctx, t, exe, "stop", "--dir", dir).CombinedOutput(); err != nil || !strings.Contains(string(out), "detach: stopped") {
				t.Fatalf("stop: %v\n%s", err, out)
			}
			if err := <-jailDone; err != nil {
				t.Errorf("start, or the run it left: %v\n%s", err, startOut.String())
			}
			out := startOut.String()
			for deadline := time.Now().Add(5 * time.Second); alive(pid) && time.Now().Before(deadline); {
				time.Sleep(50 * time.Millisecond)
			}
			if alive(pid) {
				t.Errorf("run (pid %d) is still alive after stop", pid)
			}
			if l := log(); !strings.Contains(l, "detach: run stopped") || strings.Contains(l, "bundle runtime guard") {
				t.Errorf("run's log:\n%s", l)
			}
			if strings.Contains(string(out), "bundle runtime guard") {
				t.Errorf("start:\n%s", out)
			}
		})
	}
}

// TestSupervisorExample: the monitor restarts its crashing child until it
// runs cleanly, with the same output bundled with the default guard as
// unbundled.
func TestSupervisorExample(t *testing.T) {
	t.Parallel()
	outputs := map[string]string{}
	for _, how := range []string{"plain", "bundled"} {
		var exe string
		if how == "plain" {
			exe = plainExe(t, "examples/supervisor")
		} else {
			exe = bundledExe(t, "examples/supervisor", buildtest.HostTarget())
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		out, err := jailedCommand(ctx, t, exe).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("%s: %v\n%s", how, err, out)
		}
		outputs[how] = string(out)
	}
	want := []string{
		"child run 1: crashing",
		"supervisor: child run 1 crashed (exit status 3); restarting",
		"child run 2: crashing",
		"supervisor: child run 2 crashed (exit status 3); restarting",
		"child run 3: up",
		"child run 3: working 1",
		"child run 3: working 2",
		"child run 3: working 3",
		"supervisor: child finished cleanly after 3 runs",
	}
	for how, out := range outputs {
		if got := strings.Split(strings.TrimSpace(out), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s output:\n%s\nwant:\n%s", how, out, strings.Join(want, "\n"))
		}
	}
}

// TestRespawnBundledWithDefaultGuard: examples/respawn without its
// runtime.guard line gets chain: its relaunch makes the same call each
// time (the same arguments in the same folder; only an environment variable
// counts generations), so main() runs twice, and the third generation,
// whose starter waits for it, exits 77 after the guard's 5 s wait.
func TestRespawnBundledWithDefaultGuard(t *testing.T) {
	t.Parallel()
	dir := testfs.CopyProject(t, "examples/respawn")
	cfg := filepath.Join(dir, "bundle.yaml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "runtime:\n  guard: refuse\n", "", 1)
	if edited == string(data) {
		t.Fatal("examples/respawn/bundle.yaml has no runtime.guard: refuse to remove")
	}
	testfs.WriteFile(t, cfg, edited)
	dist := t.TempDir()
	b := buildtest.Build(context.Background(), t, bundler.BuildOptions{
		Config: cfg, Dist: dist, Targets: []string{buildtest.HostTarget()}, Formats: []string{"tar.gz"}, Strict: true,
	})

	if b.Err != nil {
		t.Fatalf("build (default guard, Strict): %v\n%s", b.Err, b.Log())
	}
	// The relaunch is a note under the default guard, not a warning.
	note := regexp.MustCompile(`^main\.go:\d+:\d+: exec\.Command runs the app's own executable \(os\.Executable\(\)\); under runtime\.guard: chain the copy runs main\(\), and a copy of a copy making the same call runs only once its starter has exited, so a naive relaunch cannot multiply$`)
	noted := false
	for _, m := range messages(b, bundler.Noted) {
		noted = noted || note.MatchString(m)
	}
	if !noted || len(messages(b, bundler.Warned)) > 0 || strings.Contains(b.Log(), "warning") {
		t.Errorf("build events:\n%s", b.Log())
	}
	exe := testfs.ExtractAll(t, filepath.Join(dist, firstArchive(t, b.Result.Manifest).Path), filepath.Join(dist, "x"))
	rep, r := verifyExe(t, exe, "10s", 3, "--hold", "30s")
	if r.code != 0 || rep.MaxProcs > 3 {
		t.Fatalf("default guard: exit %d, at most %d processes; want exit 0 and at most 3\n%s", r.code, rep.MaxProcs, r.stderr)
	}
	if got := strings.Count(r.stderr, "running main()"); got != 2 {
		t.Errorf("main() ran %d times, want twice\n%s", got, r.stderr)
	}
	if !strings.Contains(r.stderr, "generation 1: child ended: exit status 77") {
		t.Errorf("the third generation was not refused with 77:\n%s", r.stderr)
	}
	if x := inspectExe(t, exe); x.Hook.Guard != "chain" {
		t.Errorf("inspect: hook %+v, want guard chain", x.Hook)
	}
}
