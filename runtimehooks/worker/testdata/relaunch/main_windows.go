package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

const exeSuffix = ".exe"

func defaultPath() string { return filepath.Join(os.Getenv("SystemRoot"), "System32") }

// replacedEnv is the smallest environment Windows programs run with.
func replacedEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "SystemRoot=" + os.Getenv("SystemRoot")}
}

// runOS runs the scenarios that exist only on Windows.
func runOS(dir, scenario string, n int) (int, bool) {
	next := strconv.Itoa(n + 1)
	switch scenario {
	case "cmd", "cmd-clearenv":
		cmd := command("cmd", "/c", self(), dir, scenario, next)
		if scenario == "cmd-clearenv" {
			cmd.Env = []string{}
		}
		return exitCode(cmd.Run()), true
	case "doublefork":
		// launch.exe, in the folder above dir, starts the copy without
		// waiting and exits; so does this run.
		launcher := filepath.Join(filepath.Dir(dir), "launch.exe")
		return exitCode(command(launcher, self(), dir, scenario, next).Run()), true
	case "shellcall-cmd":
		return exitCode(command("cmd", "/c", self(), dir, "inner", next).Run()), true
	}
	return 0, false
}

// detach starts cmd's process without a console, in its own process group.
func detach(cmd *exec.Cmd) {
	const detachedProcess = 0x8
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: detachedProcess | syscall.CREATE_NEW_PROCESS_GROUP}
}

// stopRequests delivers the appearance of dir/stop: a detached process has
// no console to receive control events.
func stopRequests(dir string) <-chan struct{} {
	stop := make(chan struct{})
	go func() {
		for {
			if _, err := os.Stat(filepath.Join(dir, "stop")); err == nil {
				close(stop)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return stop
}

// stopAndWait asks pid to stop and waits for it to exit.
func stopAndWait(dir string, pid int, timeout time.Duration) error {
	h, err := syscall.OpenProcess(syscall.SYNCHRONIZE, false, uint32(pid))
	if err != nil {
		return err
	}
	defer syscall.CloseHandle(h)
	if err := os.WriteFile(filepath.Join(dir, "stop"), nil, 0o644); err != nil {
		return err
	}
	if ev, err := syscall.WaitForSingleObject(h, uint32(timeout.Milliseconds())); ev != syscall.WAIT_OBJECT_0 {
		return fmt.Errorf("still running after %v (wait: %d, %v)", timeout, ev, err)
	}
	return nil
}
