// Command relaunch is an app that runs itself again, in every way real
// programs do: the naive fork bomb (through every launch path) and the
// legitimate relaunches (start-and-detach, supervisor, shell call, nested
// call, self-update, worker, worker.Command). The worker package tests
// build it and watch its processes.
//
// Usage: relaunch <dir> <scenario> <n>
//
// dir holds main.log, where every run of main() appends a line, and the
// links, copies and pid files of the scenario. n is the app's own count of
// generations (0 for the run the test starts), passed in argv because some
// scenarios clear the environment.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/bundlekit/bundle/runtimehooks/worker"
)

// hardCap stops a chain the guard failed to stop, so that a broken guard
// cannot take the machine down.
const hardCap = 30

// humanPause is how long the self-update scenario waits before it
// relaunches: longer than the guard's 2s window, as a person or an update
// check would.
const humanPause = 2500 * time.Millisecond

var naiveWorker = worker.Register("naive", func(ctx context.Context, args []string) error {
	// A worker that runs the program again, expecting some other program.
	cmd := exec.Command(self(), args[0], "direct", args[1])
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	logLine(args[0], "worker relaunch exit=%d", exitCode(cmd.Run()))
	return nil
})

func main() {
	worker.Dispatch()
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: relaunch <dir> <scenario> <n>")
		os.Exit(2)
	}
	dir, scenario := os.Args[1], os.Args[2]
	n, err := strconv.Atoi(os.Args[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	logLine(dir, "main n=%d scenario=%s", n, scenario)
	if os.Getenv("PATH") == "" {
		os.Setenv("PATH", defaultPath()) // as a shell does, after env -i
	}
	if n >= hardCap {
		logLine(dir, "cap n=%d", n)
		return
	}
	os.Exit(run(dir, scenario, n))
}

func run(dir, scenario string, n int) int {
	next := strconv.Itoa(n + 1)
	if code, ok := runOS(dir, scenario, n); ok {
		return code
	}
	switch scenario {
	case "direct", "clearenv", "replaceenv", "forged", "malformed", "hardlink", "copy":
		cmd, err := naive(dir, scenario, next)
		if err != nil {
			logLine(dir, "error %v", err)
			return 1
		}
		return exitCode(cmd.Run())
	case "relay", "relay-clearenv":
		// Relaunch, then exit at once: the copy's starter is gone before
		// the copy's guard runs.
		cmd := command(self(), dir, scenario, next)
		if scenario == "relay-clearenv" {
			cmd.Env = []string{}
		}
		if err := cmd.Start(); err != nil {
			logLine(dir, "error %v", err)
			return 1
		}
		return 0
	case "detach":
		return startDetached(dir, next)
	case "detach-run":
		return runDetached(dir)
	case "detach-stop":
		return stopDetached(dir)
	case "supervise":
		return supervise(dir, next)
	case "supervise-child":
		if k := countLines(dir, "main n="+strconv.Itoa(n)+" scenario=supervise-child"); k <= 3 {
			return 1 // crash, three times
		}
		return 0
	case "nested":
		return exitCode(command(self(), dir, "inner", next).Run())
	case "inner":
		return 0
	case "selfupdate":
		if n >= 3 {
			return 0
		}
		time.Sleep(humanPause)
		if err := command(self(), dir, scenario, next).Start(); err != nil {
			logLine(dir, "error %v", err)
			return 1
		}
		return 0
	case "worker":
		h, err := naiveWorker.Start(dir, next)
		if err != nil {
			logLine(dir, "error %v", err)
			return 1
		}
		return exitCode(h.Wait())
	case "command":
		if n >= 2 {
			return 0
		}
		cmd, err := worker.Command(dir, scenario, next)
		if err != nil {
			logLine(dir, "error %v", err)
			return 1
		}
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		return exitCode(cmd.Run())
	}
	fmt.Fprintf(os.Stderr, "unknown scenario %q\n", scenario)
	return 2
}

// naive returns the command that starts the next generation the way
// scenario says.
func naive(dir, scenario, next string) (*exec.Cmd, error) {
	exe := self()
	switch scenario {
	case "hardlink", "copy":
		// Named after this copy, so that a harness can tell the copies of
		// apps running at once apart by name.
		path := filepath.Join(dir, strings.TrimSuffix(filepath.Base(exe), exeSuffix)+"-"+scenario+next+exeSuffix)
		var err error
		if scenario == "hardlink" {
			err = os.Link(exe, path)
		} else {
			err = copyFile(exe, path)
		}
		if err != nil {
			return nil, err
		}
		exe = path
	}
	cmd := command(exe, dir, scenario, next)
	switch scenario {
	case "clearenv":
		cmd.Env = []string{}
	case "replaceenv":
		cmd.Env = replacedEnv()
	case "forged":
		cmd.Env = append(os.Environ(),
			"BUNDLE_RT_PARENT=v1:1:0:0123456789abcdef",
			"BUNDLE_RT_LINEAGE=bundle-rt-lineage v1 0123456789abcdef:1:0:1:1:1:m")
	case "malformed":
		cmd.Env = append(os.Environ(), "BUNDLE_RT_PARENT=v1:not-a-pid", "BUNDLE_RT_LINEAGE=bundle-rt-lineage v1 ???")
	}
	return cmd, nil
}

// startDetached is "app start": it starts "app run" in the background,
// waits until it is up and exits, leaving it running.
func startDetached(dir, next string) int {
	cmd := command(self(), dir, "detach-run", next)
	detach(cmd)
	if err := cmd.Start(); err != nil {
		logLine(dir, "error %v", err)
		return 1
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case err := <-exited:
			logLine(dir, "start: run exited: %d", exitCode(err))
			return 1
		case <-deadline:
			logLine(dir, "start: run not ready")
			return 1
		case <-time.After(5 * time.Millisecond):
		}
		if _, err := os.Stat(filepath.Join(dir, "run.pid")); err == nil {
			return 0
		}
	}
}

// runDetached is "app run": it serves until it is asked to stop.
func runDetached(dir string) int {
	stop := stopRequests(dir)
	tmp := filepath.Join(dir, "run.pid.tmp")
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return 1
	}
	if err := os.Rename(tmp, filepath.Join(dir, "run.pid")); err != nil {
		return 1
	}
	select {
	case <-stop:
		logLine(dir, "run: stopped")
		return 0
	case <-time.After(30 * time.Second):
		return 1
	}
}

// stopDetached is "app stop", a fresh run by the user: it asks "app run"
// to stop and waits for it to exit.
func stopDetached(dir string) int {
	data, err := os.ReadFile(filepath.Join(dir, "run.pid"))
	if err != nil {
		logLine(dir, "stop: %v", err)
		return 1
	}
	pid, err := strconv.Atoi(string(data))
	if err != nil {
		logLine(dir, "stop: bad pid %q", data)
		return 1
	}
	if err := stopAndWait(dir, pid, 10*time.Second); err != nil {
		logLine(dir, "stop: %v", err)
		return 1
	}
	logLine(dir, "stop: stopped %d", pid)
	return 0
}

// supervise is a monitor that restarts its crashing child.
func supervise(dir, next string) int {
	for restart := 0; ; restart++ {
		code := exitCode(command(self(), dir, "supervise-child", next).Run())
		logLine(dir, "supervise: child exit=%d", code)
		if code == 0 {
			return 0
		}
		if restart == 5 {
			return 1
		}
		time.Sleep(100 * time.Millisecond) // back-off
	}
}

func command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd
}

func self() string {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return exe
}

// logLine appends one line to dir/main.log; O_APPEND keeps the lines of
// concurrent processes whole.
func logLine(dir, format string, args ...any) {
	f, err := os.OpenFile(filepath.Join(dir, "main.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "pid=%d ms=%d "+format+"\n", append([]any{os.Getpid(), time.Now().UnixMilli()}, args...)...)
}

func countLines(dir, substr string) int {
	data, _ := os.ReadFile(filepath.Join(dir, "main.log"))
	return strings.Count(string(data), substr)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func exitCode(err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	return -1
}
