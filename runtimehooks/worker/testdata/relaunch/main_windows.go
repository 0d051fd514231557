package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

const exeSuffix = ".exe"

func defaultPath() string { return filepath.Join(os.Getenv("SystemRoot"), "System32") }

// replacedEnv is the smallest environment Windows programs run with.
func replacedEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "SystemRoot=" + os.Getenv("SystemRoot")}
}

// launchOS returns the command of a launch way that exists only on Windows.
func launchOS(dir, way, exe string, args []string) (*exec.Cmd, bool) {
	switch way {
	case "cmd", "cmd-clearenv":
		cmd := shell(exe, args...)
		if way == "cmd-clearenv" {
			cmd.Env = []string{}
		}
		return cmd, true
	case "doublefork":
		// launch.exe, in the folder above dir, starts the copy without
		// waiting and exits.
		launcher := filepath.Join(filepath.Dir(dir), "launch.exe")
		return command(launcher, append([]string{exe}, args...)...), true
	}
	return nil, false
}

// shell runs name with args through cmd /c.
func shell(name string, args ...string) *exec.Cmd {
	return command("cmd", append([]string{"/c", name}, args...)...)
}

// extension runs an extension script that runs name with args.
func extension(dir, name string, args ...string) *exec.Cmd {
	script := filepath.Join(dir, "extension.cmd")
	os.WriteFile(script, []byte("@%*\r\n@exit /b %errorlevel%\r\n"), 0o644)
	return command("cmd", append([]string{"/c", script, name}, args...)...)
}

// execSelf: Windows has no exec in place.
func execSelf(dir string) int {
	logLine(dir, "error: no exec in place on windows")
	return 1
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

// handOver is Unix only: Windows servers do not hand listeners on this way.
func handOver(dir string, _ time.Duration) int {
	logLine(dir, "error: no listener hand-over on windows")
	return 2
}
