//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

const exeSuffix = ""

func defaultPath() string { return "/usr/bin:/bin" }

func replacedEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
}

// runOS runs the scenarios that exist only on Unix.
func runOS(dir, scenario string, n int) (int, bool) {
	next := strconv.Itoa(n + 1)
	switch scenario {
	case "sh", "bash", "env", "symlink", "lostfd":
		exe := self()
		var cmd *exec.Cmd
		switch scenario {
		case "sh":
			cmd = command("sh", "-c", `"$0" "$@"; exit $?`, exe, dir, scenario, next)
		case "bash":
			cmd = command("bash", "-c", quote(exe)+" "+quote(dir)+" "+scenario+" "+next)
		case "env":
			cmd = command("env", "-i", exe, dir, scenario, next)
		case "symlink":
			path := filepath.Join(dir, scenario+next)
			if err := os.Symlink(exe, path); err != nil {
				logLine(dir, "error %v", err)
				return 1, true
			}
			cmd = command(path, dir, scenario, next)
		case "lostfd":
			// What a daemoniser does: close every descriptor above stderr
			// (nil entries close 3..97 in the child); the environment stays.
			cmd = command(exe, dir, scenario, next)
			cmd.ExtraFiles = make([]*os.File, 95)
		}
		return exitCode(cmd.Run()), true
	case "exec":
		err := syscall.Exec(self(), []string{self(), dir, scenario, next}, os.Environ())
		logLine(dir, "error %v", err)
		return 1, true
	case "doublefork":
		// sh starts the copy in the background and exits; so does this run.
		return exitCode(command("sh", "-c", `"$0" "$@" &`, self(), dir, scenario, next).Run()), true
	case "shellcall-sh":
		return exitCode(command("sh", "-c", `"$0" "$@"`, self(), dir, "inner", next).Run()), true
	case "shellcall-bash":
		// bash runs a single simple command in place: the copy is its child
		// by exec.
		return exitCode(command("bash", "-c", quote(self())+" "+quote(dir)+" inner "+next).Run()), true
	}
	return 0, false
}

// detach makes cmd's process the leader of a new session.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }

// stopRequests delivers SIGTERM.
func stopRequests(string) <-chan os.Signal {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM)
	return stop
}

// stopAndWait sends pid SIGTERM and waits for it to exit.
func stopAndWait(_ string, pid int, timeout time.Duration) error {
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return err
	}
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil {
			return nil
		}
	}
	return errors.New("still running")
}

func quote(s string) string { return "'" + s + "'" }
