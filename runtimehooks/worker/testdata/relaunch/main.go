// Command relaunch is an app that runs itself again, in every way real
// programs do: the naive fork bomb (the same arguments again, through
// every launch way, nested or as a relay, after any amount of work) and
// the legitimate relaunches (a task runner calling itself, alias chains, a
// picker's preview, a daemon's helper, supervisors, start-and-detach,
// self-update, prefork servers, restarts, workers, worker.Command). The
// worker package tests build it, run it jailed and watch its processes.
//
// Usage: relaunch <dir> <scenario> [<param>...]
//
// dir holds main.log, where every run of main() appends a line, and the
// links, copies, counters and pid files of the scenario. A naive relaunch
// passes its own arguments on unchanged, as the fork bomb does, so the
// app stops a runaway chain by counting the lines of main.log (hardCap).
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
	"sync"
	"time"

	"github.com/bundlekit/bundle/runtimehooks/worker"
)

// hardCap stops a chain the guard failed to stop (the tests also jail
// every run).
const hardCap = 60

var naiveWorker = worker.Register("naive", func(ctx context.Context, args []string) error {
	// A worker that runs the program again, expecting some other program.
	cmd := command(self(), args[0], "version")
	logLine(args[0], "worker relaunch exit=%d", exitCode(cmd.Run()))
	return nil
})

func main() {
	worker.Dispatch()
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: relaunch <dir> <scenario> [<param>...]")
		os.Exit(2)
	}
	dir, scenario, params := os.Args[1], os.Args[2], os.Args[3:]
	if os.Getenv("PATH") == "" {
		os.Setenv("PATH", defaultPath()) // as a shell does, after env -i
	}
	if countLines(dir, " main ") >= hardCap {
		logLine(dir, "cap")
		return
	}
	logLine(dir, "main scenario=%s", scenario)
	os.Exit(run(dir, scenario, params))
}

func run(dir, scenario string, p []string) int {
	switch scenario {
	case "naive":
		return naive(dir, p[0], p[1], atoi(p[2]), millis(p[3]), millis(p[4]))
	case "version":
		fmt.Println("relaunch 1.0")
		return 0
	case "task":
		return task(dir, p[0], atoi(p[1]), millis(p[2]))
	case "alias":
		return alias(dir, p[0])
	case "picker":
		return picker(dir, p)
	case "daemon":
		return daemon(dir, millis(p[0]))
	case "helper":
		if os.Getenv("RELAUNCH_HELPER_CHILD") != "1" {
			return 2
		}
		logLine(dir, "helper ran")
		return 0
	case "supervise":
		if os.Getenv("RELAUNCH_MONITORED") == "1" {
			return superviseChild(dir, "supervise "+p[0])
		}
		return supervise(dir, p[0], millis(p[1]))
	case "supervise-child":
		return superviseChild(dir, "supervise-child")
	case "detach":
		return startDetached(dir)
	case "detach-run":
		return runDetached(dir)
	case "detach-stop":
		return stopDetached(dir)
	case "selfupdate":
		return selfUpdate(dir, millis(p[0]))
	case "prefork":
		return prefork(dir, atoi(p[0]))
	case "restart":
		return restart(dir, millis(p[0]), false)
	case "restart-exec":
		return restart(dir, millis(p[0]), true)
	case "handover":
		return handOver(dir, millis(p[0]))
	case "worker":
		h, err := naiveWorker.Start(dir)
		if err != nil {
			logLine(dir, "error %v", err)
			return 1
		}
		return exitCode(h.Wait())
	case "command":
		n := atoi(p[0])
		fmt.Printf("command %d\n", n)
		if n >= 2 {
			return 0
		}
		cmd, err := worker.Command(dir, scenario, strconv.Itoa(n+1))
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

// naive is the fork bomb: after delay of work it starts k copies of itself
// with its own arguments, through way, and either waits for them (nested)
// or exits (relay). A nested run stays up for hold after its copies end.
func naive(dir, way, shape string, k int, delay, hold time.Duration) int {
	time.Sleep(delay)
	if way == "exec" {
		return execSelf(dir)
	}
	var cmds []*exec.Cmd
	for i := 0; i < k; i++ {
		cmd, err := launch(dir, way, os.Args[1:])
		if err != nil {
			logLine(dir, "error %v", err)
			return 1
		}
		if err := cmd.Start(); err != nil {
			logLine(dir, "error %v", err)
			return 1
		}
		cmds = append(cmds, cmd)
	}
	if shape == "relay" {
		return 0
	}
	code := 0
	for _, cmd := range cmds {
		if c := exitCode(cmd.Wait()); c != 0 && code == 0 {
			code = c
		}
	}
	time.Sleep(hold)
	return code
}

// launch returns the command that starts the program with args the way
// way says.
func launch(dir, way string, args []string) (*exec.Cmd, error) {
	exe := self()
	switch way {
	case "hardlink", "copy":
		// Named after this app, so that a harness can tell the copies of
		// apps running at once apart by name.
		path := filepath.Join(dir, fmt.Sprintf("%s-%s%d%s", strings.TrimSuffix(filepath.Base(exe), exeSuffix), way[:1], os.Getpid(), exeSuffix))
		var err error
		if way == "hardlink" {
			err = os.Link(exe, path)
		} else {
			err = copyFile(exe, path)
		}
		if err != nil && !os.IsExist(err) {
			return nil, err
		}
		exe = path
	}
	if cmd, ok := launchOS(dir, way, exe, args); ok {
		return cmd, nil
	}
	cmd := command(exe, args...)
	switch way {
	case "direct", "hardlink", "copy":
	case "clearenv":
		cmd.Env = []string{}
	case "replaceenv":
		cmd.Env = replacedEnv()
	case "forged":
		cmd.Env = append(os.Environ(),
			"BUNDLE_RT_PARENT=v1:1:0:0123456789abcdef",
			"BUNDLE_RT_LINEAGE=bundle-rt-lineage v2 0123456789abcdef:1:0:1:1:1:m:0123456789abcdef:1:0")
	case "malformed":
		cmd.Env = append(os.Environ(), "BUNDLE_RT_PARENT=v1:not-a-pid", "BUNDLE_RT_LINEAGE=bundle-rt-lineage v2 ???")
	default:
		return nil, fmt.Errorf("unknown launch way %q", way)
	}
	return cmd, nil
}

// task is a task runner whose task n runs task n-1 through a shell or
// directly, after a pause, as go-task's {{.TASK_EXE}} does.
func task(dir, via string, n int, pause time.Duration) int {
	fmt.Printf("task %d\n", n)
	if n == 0 {
		return 0
	}
	time.Sleep(pause)
	args := []string{dir, "task", via, strconv.Itoa(n - 1), strconv.FormatInt(pause.Milliseconds(), 10)}
	cmd := command(self(), args...)
	if via == "sh" {
		cmd = shell(self(), args...)
	}
	code := exitCode(cmd.Run())
	fmt.Printf("task %d done: %d\n", n, code)
	return code
}

// alias is a command-line app's aliases: hi2 runs the alias hi through a
// shell, hi runs the app's version, and ext runs an extension script that
// runs the app.
func alias(dir, name string) int {
	switch name {
	case "hi2":
		return exitCode(shell(self(), dir, "alias", "hi").Run())
	case "hi":
		return exitCode(command(self(), dir, "version").Run())
	case "ext":
		return exitCode(extension(dir, self(), dir, "version").Run())
	}
	return 2
}

// picker is a fuzzy finder: outer relaunches itself in a popup (fzf
// --tmux), whose preview runs the picker for each item in turn.
func picker(dir string, p []string) int {
	switch p[0] {
	case "outer":
		code := exitCode(command(self(), dir, "picker", "popup").Run())
		fmt.Printf("picked: %d\n", code)
		return code
	case "popup":
		for _, item := range []string{"a", "b", "c"} {
			if code := exitCode(shell(self(), dir, "picker", "preview", item).Run()); code != 0 {
				return code
			}
		}
		return 0
	case "preview":
		fmt.Printf("preview %s\n", p[1])
		return 0
	}
	return 2
}

// daemon starts a helper copy of itself at once (as golang.org/x/telemetry
// does) and goes on with its work.
func daemon(dir string, pause time.Duration) int {
	cmd := command(self(), dir, "helper")
	cmd.Env = append(os.Environ(), "RELAUNCH_HELPER_CHILD=1")
	if err := cmd.Start(); err != nil {
		logLine(dir, "error %v", err)
		return 1
	}
	time.Sleep(pause)
	code := exitCode(cmd.Wait())
	fmt.Printf("daemon: helper exit %d\n", code)
	return code
}

// supervise is a monitor that restarts its crashing child five times:
// either a child of other arguments, or (same, as syncthing's monitor
// does) a copy of itself with its own arguments and a marker.
func supervise(dir, child string, pause time.Duration) int {
	for restart := 0; ; restart++ {
		cmd := command(self(), dir, "supervise-child")
		if child == "same" {
			cmd = command(self(), os.Args[1:]...)
			cmd.Env = append(os.Environ(), "RELAUNCH_MONITORED=1")
		}
		code := exitCode(cmd.Run())
		fmt.Printf("supervise: child exit %d\n", code)
		if code == 0 {
			return 0
		}
		if restart == 5 {
			return 1
		}
		time.Sleep(pause)
	}
}

// superviseChild crashes five times, then succeeds.
func superviseChild(dir, name string) int {
	if countLines(dir, "child of "+name) < 5 {
		logLine(dir, "child of %s crashes", name)
		return 1
	}
	return 0
}

// selfUpdate replaces itself with a new build (here: a copy with a byte
// appended, which is another program to the guard) and relaunches it
// with its own arguments, three times, pausing before each.
func selfUpdate(dir string, pause time.Duration) int {
	n := bump(dir, "selfupdate")
	if n > 3 {
		fmt.Println("updated 3 times")
		return 0
	}
	time.Sleep(pause)
	exe := self()
	next := filepath.Join(dir, fmt.Sprintf("%s-u%d%s", strings.TrimSuffix(filepath.Base(exe), exeSuffix), n, exeSuffix))
	if err := copyFile(exe, next); err != nil {
		logLine(dir, "error %v", err)
		return 1
	}
	f, err := os.OpenFile(next, os.O_WRONLY|os.O_APPEND, 0)
	if err == nil {
		_, err = f.Write([]byte{0})
		f.Close()
	}
	if err != nil {
		logLine(dir, "error %v", err)
		return 1
	}
	if err := command(next, os.Args[1:]...).Start(); err != nil {
		logLine(dir, "error %v", err)
		return 1
	}
	return 0
}

// prefork starts k copies of itself with its own arguments and a marker,
// which serve side by side until the master has seen them all ready.
func prefork(dir string, k int) int {
	if os.Getenv("RELAUNCH_PREFORK_CHILD") == "1" {
		fmt.Println("prefork child ready")
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if countLines(dir, "prefork child up") >= k {
				return 0
			}
		}
		return 1
	}
	var wg sync.WaitGroup
	codes := make([]int, k)
	for i := 0; i < k; i++ {
		cmd := command(self(), os.Args[1:]...)
		cmd.Env = append(os.Environ(), "RELAUNCH_PREFORK_CHILD=1")
		if err := cmd.Start(); err != nil {
			logLine(dir, "error %v", err)
			return 1
		}
		logLine(dir, "prefork child up")
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			codes[i] = exitCode(cmd.Wait())
		}(i)
	}
	wg.Wait()
	fmt.Printf("prefork: children exit %v\n", codes)
	return 0
}

// restart restarts the program in place three times: after a pause it
// starts a copy with its own arguments and exits, or (exec) replaces
// itself with one.
func restart(dir string, pause time.Duration, inPlace bool) int {
	n := bump(dir, "restart")
	if n > 3 {
		fmt.Println("restarted 3 times")
		return 0
	}
	time.Sleep(pause)
	if inPlace {
		return execSelf(dir)
	}
	if err := command(self(), os.Args[1:]...).Start(); err != nil {
		logLine(dir, "error %v", err)
		return 1
	}
	return 0
}

// startDetached is "app start": it starts "app run" in the background,
// waits until it is up and exits, leaving it running.
func startDetached(dir string) int {
	cmd := command(self(), dir, "detach-run")
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
			fmt.Printf("start: run exited: %d\n", exitCode(err))
			return 1
		case <-deadline:
			fmt.Println("start: run not ready")
			return 1
		case <-time.After(5 * time.Millisecond):
		}
		if _, err := os.Stat(filepath.Join(dir, "run.pid")); err == nil {
			fmt.Println("started")
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
		fmt.Println("run: stopped")
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
		fmt.Println("stop:", err)
		return 1
	}
	pid, err := strconv.Atoi(string(data))
	if err != nil {
		fmt.Printf("stop: bad pid %q\n", data)
		return 1
	}
	if err := stopAndWait(dir, pid, 10*time.Second); err != nil {
		fmt.Println("stop:", err)
		return 1
	}
	fmt.Println("stopped")
	return 0
}

// bump counts one more run of name in dir and returns the count.
func bump(dir, name string) int {
	logLine(dir, "run of %s", name)
	return countLines(dir, "run of "+name)
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
	f, err := os.OpenFile(filepath.Join(dir, "main.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
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

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

func itoa(n int) string { return strconv.Itoa(n) }

func millis(s string) time.Duration { return time.Duration(atoi(s)) * time.Millisecond }

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
