package verify

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// programArg, as the first argument of this test binary, makes it the
// program under watch instead of running the tests.
const programArg = "verify-test-program"

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == programArg {
		os.Exit(program(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// program is a process tree of the shape its flags ask for. Every process
// of it prints its pid on a line of its own, so the test can check that
// none outlives the watch.
func program(args []string) int {
	fs := flag.NewFlagSet(programArg, flag.ContinueOnError)
	children := fs.Int("children", 0, "children to start, each living a minute")
	orphan := fs.Bool("orphan", false, "start a child that starts a grandchild (living a minute) and exits after a second")
	life := fs.Duration("life", time.Minute, "how long to live")
	code := fs.Int("exit", 0, "exit code after life")
	deaf := fs.Bool("ignore-term", false, "ignore SIGTERM")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *deaf {
		signal.Ignore(syscall.SIGTERM)
	}
	fmt.Println(os.Getpid())
	start := func(args ...string) error {
		cmd := exec.Command(os.Args[0], append([]string{programArg}, args...)...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		return cmd.Start()
	}
	for range *children {
		if err := start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
	}
	if *orphan {
		if err := start("-children=1", "-life=1s"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
	}
	time.Sleep(*life)
	return *code
}

// TestRun watches trees of each shape and checks what Run reports and
// that no process of the tree is left. The tests run one at a time: Run
// makes this process adopt orphans and counts every child of it as part of
// the tree under watch.
func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		watch    time.Duration
		maxProcs int
		exited   bool
		exitCode int
		killed   int
		starters int // processes of the tree that start others
	}{
		{name: "exits by itself", args: []string{"-life=300ms", "-exit=3"}, watch: 10 * time.Second,
			maxProcs: 1, exited: true, exitCode: 3},
		{name: "three children, stopped by SIGTERM", args: []string{"-children=3"}, watch: 2 * time.Second,
			maxProcs: 4, exitCode: -1, killed: 3, starters: 1},
		{name: "ignores SIGTERM", args: []string{"-children=2", "-ignore-term"}, watch: 2 * time.Second,
			maxProcs: 3, exitCode: -1, killed: 3, starters: 1},
		{name: "children outlive it", args: []string{"-children=2", "-life=300ms"}, watch: 2 * time.Second,
			maxProcs: 3, exited: true, killed: 2, starters: 1},
		{name: "orphaned grandchild", args: []string{"-orphan"}, watch: 3 * time.Second,
			maxProcs: 3, exitCode: -1, killed: 1, starters: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A file, as the bundle command's stderr is: the tree's output
			// does not go through a pipe that Run would wait on.
			out, err := os.Create(filepath.Join(t.TempDir(), "out"))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			r, err := Run(context.Background(), Options{
				Path: os.Args[0], Args: append([]string{programArg}, tt.args...),
				Watch: tt.watch, Interval: 10 * time.Millisecond, Grace: 500 * time.Millisecond,
				Stdout: out, Stderr: os.Stderr,
			})
			if err != nil {
				t.Fatal(err)
			}
			printed, err := os.ReadFile(out.Name())
			if err != nil {
				t.Fatal(err)
			}
			pids := readPids(t, printed)
			if r.MaxProcs != tt.maxProcs || r.Exited != tt.exited || r.ExitCode != tt.exitCode || r.Killed != tt.killed {
				t.Errorf("MaxProcs %d, Exited %v, ExitCode %d, Killed %d; want %d, %v, %d, %d (report %+v)",
					r.MaxProcs, r.Exited, r.ExitCode, r.Killed, tt.maxProcs, tt.exited, tt.exitCode, tt.killed, r)
			}
			// A Go program that starts its first process first clones one
			// that exits at once (the os package's check that
			// clone(CLONE_PIDFD) works), which a sample may see.
			if r.Distinct < len(pids) || r.Distinct > len(pids)+tt.starters {
				t.Errorf("Distinct %d, but %d processes ran (%d of them starting others): %v", r.Distinct, len(pids), tt.starters, pids)
			}
			if r.Samples < 2 || r.Elapsed > tt.watch+time.Second {
				t.Errorf("%d samples over %v (watch %v)", r.Samples, r.Elapsed, tt.watch)
			}
			if gone := tt.exited && tt.killed == 0; gone && r.Elapsed > tt.watch/2 {
				t.Errorf("the watch took %v of %v; it ends when the tree is gone", r.Elapsed, tt.watch)
			}
			for _, pid := range pids {
				if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
					t.Errorf("process %d outlived the watch (kill 0: %v)", pid, err)
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		})
	}
}

// readPids reads the pids the program's processes printed.
func readPids(t *testing.T, out []byte) []int {
	t.Helper()
	var pids []int
	s := bufio.NewScanner(bytes.NewReader(out))
	for s.Scan() {
		pid, err := strconv.Atoi(s.Text())
		if err != nil {
			t.Fatalf("program output %q", out)
		}
		pids = append(pids, pid)
	}
	return pids
}
