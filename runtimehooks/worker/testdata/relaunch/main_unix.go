//go:build unix

package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

const exeSuffix = ""

func defaultPath() string { return "/usr/bin:/bin" }

func replacedEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
}

// launchOS returns the command of a launch way that exists only on Unix.
func launchOS(dir, way, exe string, args []string) (*exec.Cmd, bool) {
	switch way {
	case "sh":
		return shell(exe, args...), true
	case "bash":
		// bash runs a single simple command in place: the copy is its
		// child by exec.
		line := quote(exe)
		for _, a := range args {
			line += " " + quote(a)
		}
		return command("bash", "-c", line), true
	case "env":
		return command("env", append([]string{"-i", exe}, args...)...), true
	case "symlink":
		path := filepath.Join(dir, filepath.Base(exe)+"-s"+itoa(os.Getpid()))
		if err := os.Symlink(exe, path); err != nil && !os.IsExist(err) {
			return nil, false
		}
		return command(path, args...), true
	case "lostfd":
		// What a daemoniser does: close every descriptor above stderr
		// (nil entries close 3..97 in the child); the environment stays.
		cmd := command(exe, args...)
		cmd.ExtraFiles = make([]*os.File, 95)
		return cmd, true
	case "doublefork":
		// sh starts the copy in the background and exits.
		return command("sh", append([]string{"-c", `"$0" "$@" &`, exe}, args...)...), true
	case "sudo", "pkexec":
		// The launcher clears the environment and closes every
		// descriptor; sudo waits for the copy, pkexec becomes it.
		launcher := filepath.Join(filepath.Dir(dir), "launcher")
		return command(launcher, append([]string{way, exe}, args...)...), true
	}
	return nil, false
}

// shell runs name with args through sh, as a call (not in place).
func shell(name string, args ...string) *exec.Cmd {
	return command("sh", append([]string{"-c", `"$0" "$@"; exit $?`, name}, args...)...)
}

// extension runs an extension script that runs name with args.
func extension(dir, name string, args ...string) *exec.Cmd {
	script := filepath.Join(dir, "extension.sh")
	os.WriteFile(script, []byte("#!/bin/sh\n\"$@\"\nexit $?\n"), 0o755)
	return command(script, append([]string{name}, args...)...)
}

// execSelf replaces the process with the program and its own arguments.
func execSelf(dir string) int {
	err := syscall.Exec(self(), os.Args, os.Environ())
	logLine(dir, "error %v", err)
	return 1
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

// handOver is a server that upgrades itself three times as graceful-restart
// libraries do: it starts a copy of itself with its own arguments, hands
// it its listener, waits until the copy serves, and exits.
func handOver(dir string, pause time.Duration) int {
	n := bump(dir, "handover")
	var ln net.Listener
	var err error
	if n == 1 {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	} else {
		ln, err = net.FileListener(os.NewFile(3, "listener"))
	}
	if err != nil {
		logLine(dir, "error %v", err)
		return 1
	}
	logLine(dir, "serving %d", n)
	fmt.Printf("serving, generation %d\n", n)
	if n > 3 {
		fmt.Println("handed over 3 times")
		return 0
	}
	time.Sleep(pause)
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		logLine(dir, "error %v", err)
		return 1
	}
	cmd := command(self(), os.Args[1:]...)
	cmd.ExtraFiles = []*os.File{f}
	if err := cmd.Start(); err != nil {
		logLine(dir, "error %v", err)
		return 1
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if countLines(dir, fmt.Sprintf("serving %d", n+1)) > 0 {
			return 0
		}
		if cmd.ProcessState != nil {
			break
		}
	}
	fmt.Println("the successor did not take over")
	return 1
}
