// Command jail runs a program that may start copies of itself with a hard
// cap on the tasks it can create, so that a test of a broken guard cannot
// take the machine down, and kills whatever the program left when it ends.
// The tests of both of this repository's modules build it.
//
//	jail [-tasks N] [-timeout D] -- PROGRAM [ARGS...]
//
// The program runs in a new pids cgroup (cgroup v1 at /sys/fs/cgroup/pids,
// or v2 with the pids controller) limited to N tasks, threads included.
// Where there is none but jail runs as root, the program runs as a user id
// of its own with RLIMIT_NPROC at N (the files it needs must be readable by
// everybody). Otherwise jail refuses to run it, with exit status 125.
//
// Once the program exits, jail waits for everything it started, up to
// the timeout (60 s by default) from the start, kills what is left and
// exits with the program's status (137 if it was killed). SIGINT, SIGTERM
// and SIGHUP are passed on to the program.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// jailUID is the user id the fallback runs programs as: high enough that
// no account or other process uses it.
const jailUID = 61_234

// Internal re-executions of jail: it moves itself into the cgroup, or
// takes on the limit and the user id, and then execs the program.
const (
	envJoin    = "BUNDLE_JAIL_JOIN"    // the cgroup.procs file to join
	envUID     = "BUNDLE_JAIL_NPROC"   // the RLIMIT_NPROC to set before taking jailUID
	envKillAll = "BUNDLE_JAIL_KILLALL" // kill(-1) as jailUID: every process of that user
)

func main() {
	if os.Getenv(envKillAll) != "" {
		syscall.Kill(-1, syscall.SIGKILL)
		return
	}
	if procs := os.Getenv(envJoin); procs != "" {
		enter(func() error { return os.WriteFile(procs, []byte("0"), 0) })
	}
	if limit := os.Getenv(envUID); limit != "" {
		enter(func() error { return becomeJailUser(limit) })
	}
	tasks := flag.Int("tasks", 1000, "the most tasks (processes and threads) the program may have at once")
	timeout := flag.Duration("timeout", time.Minute, "kill everything this long after the start")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: jail [-tasks N] [-timeout D] -- PROGRAM [ARGS...]")
		os.Exit(2)
	}
	os.Exit(run(flag.Args(), *tasks, *timeout))
}

// enter does what the re-executed jail must do before it becomes the
// program, then execs the program.
func enter(prepare func() error) {
	os.Unsetenv(envJoin)
	os.Unsetenv(envUID)
	args := os.Args[1:]
	if err := prepare(); err != nil {
		fmt.Fprintln(os.Stderr, "jail:", err)
		os.Exit(125)
	}
	path, err := exec.LookPath(args[0])
	if err == nil {
		err = syscall.Exec(path, args, os.Environ())
	}
	fmt.Fprintln(os.Stderr, "jail:", err)
	os.Exit(125)
}

func becomeJailUser(limit string) error {
	n, err := strconv.ParseUint(limit, 10, 64)
	if err != nil {
		return err
	}
	if err := syscall.Setrlimit(6 /* RLIMIT_NPROC */, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
		return fmt.Errorf("RLIMIT_NPROC: %w", err)
	}
	if err := syscall.Setgroups(nil); err != nil {
		return err
	}
	if err := syscall.Setgid(jailUID); err != nil {
		return err
	}
	return syscall.Setuid(jailUID)
}

func run(args []string, tasks int, timeout time.Duration) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "jail:", err)
		return 125
	}
	deadline := time.Now().Add(timeout)
	cmd := exec.Command(self, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	var cell interface {
		empty() bool
		kill()
		close()
	}
	if cg, err := newCgroup(tasks); err == nil {
		cmd.Env = append(os.Environ(), envJoin+"="+filepath.Join(cg.dir, "cgroup.procs"))
		cell = cg
	} else if os.Geteuid() == 0 {
		cmd.Env = append(os.Environ(), envUID+"="+strconv.Itoa(tasks))
		cell = uidCell{}
	} else {
		fmt.Fprintf(os.Stderr, "jail: no pids cgroup (%v) and not root: cannot cap the program's tasks\n", err)
		return 125
	}
	defer cell.close()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "jail:", err)
		return 125
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		for sig := range signals {
			cmd.Process.Signal(sig)
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var status error
	select {
	case status = <-exited:
	case <-time.After(time.Until(deadline)):
		cell.kill()
		status = <-exited
	}
	for !cell.empty() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cell.kill()
	var exit *exec.ExitError
	switch {
	case status == nil:
		return 0
	case errors.As(status, &exit) && exit.ExitCode() >= 0:
		return exit.ExitCode()
	}
	return 137
}

// cgroup is a pids cgroup of its own.
type cgroup struct{ dir string }

func newCgroup(tasks int) (*cgroup, error) {
	base := "/sys/fs/cgroup/pids"
	if _, err := os.Stat(base); err != nil {
		// v2: the pids controller must be on for the root's children.
		base = "/sys/fs/cgroup"
		controllers, err := os.ReadFile(filepath.Join(base, "cgroup.subtree_control"))
		if err != nil || !strings.Contains(string(controllers), "pids") {
			return nil, errors.New("no pids controller")
		}
	}
	dir := filepath.Join(base, fmt.Sprintf("bundle-jail-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "pids.max"), []byte(strconv.Itoa(tasks)), 0); err != nil {
		os.Remove(dir)
		return nil, err
	}
	return &cgroup{dir: dir}, nil
}

func (c *cgroup) pids() []int {
	data, _ := os.ReadFile(filepath.Join(c.dir, "cgroup.procs"))
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

func (c *cgroup) empty() bool { return len(c.pids()) == 0 }

// kill kills every process in the cgroup until none is left: a process
// may fork while the list is read, so the list is read again.
func (c *cgroup) kill() {
	for i := 0; i < 200 && !c.empty(); i++ {
		for _, pid := range c.pids() {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (c *cgroup) close() {
	c.kill()
	for i := 0; i < 100 && os.Remove(c.dir) != nil; i++ {
		time.Sleep(10 * time.Millisecond)
	}
}

// uidCell is the fallback: every process of jailUID is the program's.
type uidCell struct{}

// empty reports whether no process of jailUID runs; zombies do not count,
// as an init that does not reap may keep them.
func (uidCell) empty() bool {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		var st syscall.Stat_t
		if _, err := strconv.Atoi(e.Name()); err != nil || syscall.Stat("/proc/"+e.Name(), &st) != nil || st.Uid != jailUID {
			continue
		}
		stat, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && !strings.HasPrefix(string(stat[i+1:]), " Z") {
			return false
		}
	}
	return true
}

// kill kills every process of jailUID with kill(-1) from a copy of jail
// that has that user id: it reaches exactly the processes of that user.
func (uidCell) kill() {
	self, err := os.Executable()
	if err != nil {
		return
	}
	for i := 0; i < 100 && !(uidCell{}).empty(); i++ {
		cmd := exec.Command(self)
		cmd.Env = []string{envKillAll + "=1"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: jailUID, Gid: jailUID}}
		cmd.Run()
		time.Sleep(5 * time.Millisecond)
	}
}

func (uidCell) close() { uidCell{}.kill() }
