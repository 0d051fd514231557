package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSingleChild(t *testing.T) {
	out := newLineRecorder()
	h, err := probeWorker.StartOpts(Options{Args: []string{"a", "b c"}, Stdout: out})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Stop(0)
	lines := out.waitFor(t, "ready")

	for _, want := range []string{
		"args=a|b c",    // Options.Args reach the Func ...
		"osargs=1",      // ... and not os.Args
		"isworker=true", //
		`assignment=""`, // the assignment is taken out of the environment
		"nested=true",   // a worker cannot Start workers ...
		"command=true",  // ... nor relaunch the program
		"naive=77",      // the fork-bomb pattern is refused
	} {
		if !containsLine(lines, want) {
			t.Errorf("worker did not report %q; got %q", want, lines)
		}
	}
	wantMsg := fmt.Sprintf("naivemsg=bundle runtime guard: refused to run main() in a process started by a worker of the same program (worker pid %d)", h.Pid())
	if msg := lineWithPrefix(lines, "naivemsg="); !strings.HasPrefix(msg, wantMsg) {
		t.Errorf("refusal message %q, want prefix %q", msg, wantMsg)
	}

	if tree, ok := descendants(os.Getpid()); ok && (len(tree) != 1 || tree[0] != h.Pid()) {
		t.Errorf("process tree below the test: %v, want only the worker %d", tree, h.Pid())
	}
	if _, err := probeWorker.Start(); !errors.Is(err, ErrAlreadyRunning) {
		t.Errorf("second Start: %v, want ErrAlreadyRunning", err)
	}
	if err := h.Stop(testTimeout); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

func TestStartConcurrently(t *testing.T) {
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		handles []*Handle
		errs    []error
	)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := readyWorker.StartOpts(Options{Stdout: io.Discard})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			handles = append(handles, h)
		}()
	}
	wg.Wait()
	for _, h := range handles {
		h.Stop(testTimeout)
	}
	if len(handles) != 1 {
		t.Fatalf("%d workers started, want 1", len(handles))
	}
	for _, err := range errs {
		if !errors.Is(err, ErrAlreadyRunning) {
			t.Errorf("Start: %v, want ErrAlreadyRunning", err)
		}
	}
}

func TestStopGracefulAndRestart(t *testing.T) {
	for round := 1; round <= 2; round++ {
		out := newLineRecorder()
		h, err := readyWorker.StartOpts(Options{Stdout: out})
		if err != nil {
			t.Fatalf("round %d: Start: %v", round, err)
		}
		out.waitFor(t, "ready")
		start := time.Now()
		if err := h.Stop(testTimeout); err != nil {
			t.Errorf("round %d: Stop: %v", round, err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("round %d: graceful Stop took %v", round, took)
		}
		select {
		case <-h.Done():
		default:
			t.Errorf("round %d: Done not closed after Stop", round)
		}
		if err := h.Wait(); err != nil {
			t.Errorf("round %d: Wait after Stop: %v", round, err)
		}
	}
}

func TestRestartAfterExit(t *testing.T) {
	for round := 1; round <= 2; round++ {
		h, err := failingWorker.StartOpts(Options{Stderr: io.Discard})
		if err != nil {
			t.Fatalf("round %d: Start: %v", round, err)
		}
		err = h.Wait()
		if exitCodeOf(err) != 1 || !strings.Contains(err.Error(), `worker "test-fail"`) {
			t.Errorf("round %d: Wait: %v, want exit status 1 of test-fail", round, err)
		}
	}
}

func TestStopIgnored(t *testing.T) {
	t.Run("killed by Stop", func(t *testing.T) {
		const grace = 300 * time.Millisecond
		out := newLineRecorder()
		h, err := stubbornWorker.StartOpts(Options{Stdout: out, Grace: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		out.waitFor(t, "ready")
		start := time.Now()
		err = h.Stop(grace)
		took := time.Since(start)
		if err == nil || exitCodeOf(err) == 0 {
			t.Errorf("Stop: %v, want the kill", err)
		}
		if took < grace || took > grace+500*time.Millisecond {
			t.Errorf("Stop(%v) returned after %v", grace, took)
		}
	})
	t.Run("exits 79 by itself", func(t *testing.T) {
		const grace = 300 * time.Millisecond
		out := newLineRecorder()
		h, err := stubbornWorker.StartOpts(Options{Stdout: out, Stderr: io.Discard, Grace: grace})
		if err != nil {
			t.Fatal(err)
		}
		out.waitFor(t, "ready")
		start := time.Now()
		err = h.Stop(testTimeout)
		took := time.Since(start)
		if exitCodeOf(err) != ExitStopIgnored || !strings.Contains(err.Error(), "ignored a stop request") {
			t.Errorf("Stop: %v, want exit status %d", err, ExitStopIgnored)
		}
		if took < grace || took > grace+500*time.Millisecond {
			t.Errorf("worker with grace %v exited after %v", grace, took)
		}
	})
}

func TestUnknownWorker(t *testing.T) {
	code, _, stderr := runWithTimeout(t, selfCommand(envWorker+"=no-such-worker"))
	if code != ExitUnknownWorker || !strings.Contains(stderr, `worker "no-such-worker" is not registered`) {
		t.Errorf("exit %d, stderr %q; want %d and a hint", code, stderr, ExitUnknownWorker)
	}
}

func TestForgedAssignmentIgnored(t *testing.T) {
	tests := []struct {
		name   string
		parent string // BUNDLE_RT_PARENT; "" removes it
		depth  int
	}{
		{name: "fresh start", depth: 0},
		{name: "marker of another parent", parent: parentMarker{pid: 1, app: self.app}.String(), depth: 1},
		{name: "marker of another program", parent: parentMarker{pid: os.Getpid(), app: "00000000000e15e1"}.String(), depth: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := selfCommand()
			cmd.Env = append(environWithout(envParent), envHelper+"=report", envWorker+"="+readyWorker.Name())
			if tt.parent != "" {
				cmd.Env = append(cmd.Env, envParent+"="+tt.parent)
			}
			withoutLineage(t, cmd) // an unrelated program's child, as the markers pretend
			code, stdout, stderr := runWithTimeout(t, cmd)
			want := fmt.Sprintf(`isworker=false depth=%d`, tt.depth)
			if code != 0 || !strings.Contains(stdout, want) || !strings.Contains(stdout, `assignment=""`) {
				t.Errorf("exit %d, stdout %q, stderr %q; want main to run with %q", code, stdout, stderr, want)
			}
		})
	}
}

func TestGuardModes(t *testing.T) {
	tests := []struct {
		mode    string
		code    int
		message string
	}{
		{mode: "refuse", code: ExitRefused, message: "bundle runtime guard: refused to run main() again"},
		{mode: "warn", code: 0, message: "bundle runtime guard: warning: main() runs again"},
		{mode: "off", code: 0},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			code, stdout, stderr := runWithTimeout(t, selfCommand(envHelper+"=report", envGuard+"="+tt.mode))
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if tt.message == "" && stderr != "" || !strings.Contains(stderr, tt.message) {
				t.Errorf("stderr %q, want %q", stderr, tt.message)
			}
			if lines := strings.Count(strings.TrimSpace(stderr), "\n"); lines != 0 {
				t.Errorf("message has %d lines, want 1: %q", lines+1, stderr)
			}
			if code == 0 && !strings.Contains(stdout, "depth=1 mode="+tt.mode) {
				t.Errorf("stdout %q, want depth 1 in mode %s", stdout, tt.mode)
			}
		})
	}
}

// TestGuardCopies checks that the guard knows the program by its content,
// not its path: a copy is the same program, and a file that differs (here:
// by one byte appended, which the loader ignores) is another one.
func TestGuardCopies(t *testing.T) {
	data, err := os.ReadFile(executable())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		content []byte
		code    int
		stdout  string
	}{
		{name: "copy", content: data, code: ExitRefused},
		{name: "other", content: append(data[:len(data):len(data)], 0), stdout: "isworker=false depth=1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(scratchDir(t), filepath.Base(executable()))
			if err := os.WriteFile(path, tt.content, 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := selfCommand(envHelper+"=report", envGuard+"=refuse")
			cmd.Path, cmd.Args[0] = path, path
			code, stdout, stderr := runWithTimeout(t, cmd)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, stdout, stderr, tt.code, tt.stdout)
			}
		})
	}
}

func TestCommandRelaunch(t *testing.T) {
	cmd := helperCommand(t, "report")
	code, stdout, stderr := runWithTimeout(t, cmd)
	if code != 0 || !strings.Contains(stdout, `isworker=false depth=0`) || !strings.Contains(stdout, `relaunch=""`) {
		t.Errorf("exit %d, stdout %q, stderr %q; want a new root without the one-shot marker", code, stdout, stderr)
	}
}

func TestDispatchIsNoOpInRoot(t *testing.T) {
	Dispatch()
	Dispatch()
	if IsWorker() {
		t.Fatal("the test process reports itself as a worker")
	}
	if GuardMode() != resolveMode(buildGuard, os.Getenv(envGuard)) {
		t.Errorf("GuardMode() = %q", GuardMode())
	}
}

func TestRegisterPanics(t *testing.T) {
	nop := func(ctx context.Context, args []string) error { return nil }
	for name, register := range map[string]func(){
		"empty name": func() { Register("", nop) },
		"nil func":   func() { Register("test-nil-func", nil) },
		"duplicate":  func() { Register(readyWorker.Name(), nop) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Register did not panic")
				}
			}()
			register()
		})
	}
}

func TestDepthLimit(t *testing.T) {
	tests := []struct {
		chain, mode string
		warnings    int
	}{
		{chain: "shell", mode: "warn", warnings: maxDepth}, // app -> sh -> app -> ...
		{chain: "direct", mode: "warn", warnings: maxDepth},
	}
	for _, tt := range tests {
		t.Run(tt.chain+"/"+tt.mode, func(t *testing.T) {
			if tt.chain == "shell" {
				if _, err := exec.LookPath("sh"); err != nil || runtime.GOOS == "windows" {
					t.Skip("the shell chain needs a Unix sh")
				}
			}
			cmd := helperCommand(t, "chain", envChain+"="+tt.chain, envGuard+"="+tt.mode)
			code, stdout, stderr := runWithTimeout(t, cmd)
			var want strings.Builder
			for depth := 0; depth <= maxDepth; depth++ {
				fmt.Fprintf(&want, "depth=%d\n", depth)
			}
			if code != ExitRefused || stdout != want.String() {
				t.Errorf("exit %d, stdout %q; want %d after generations 0..%d", code, stdout, ExitRefused, maxDepth)
			}
			if !strings.Contains(stderr, "refused to start generation 9") {
				t.Errorf("stderr %q lacks the depth refusal", stderr)
			}
			if got := strings.Count(stderr, "warning:"); got != tt.warnings {
				t.Errorf("%d warnings, want %d: %q", got, tt.warnings, stderr)
			}
		})
	}
}
