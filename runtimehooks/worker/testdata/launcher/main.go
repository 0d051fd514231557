// Command launcher starts a program as sudo or pkexec do: with a small
// environment of its own instead of the caller's, and with every
// descriptor above stderr closed. "sudo" runs the program as its child and
// waits for it; "pkexec" replaces itself with the program. It does not
// import the worker package, so the guard knows nothing of it.
//
// Usage: launcher sudo|pkexec <program> [<arg>...]
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

func main() {
	if len(os.Args) < 3 || os.Args[1] != "sudo" && os.Args[1] != "pkexec" {
		fmt.Fprintln(os.Stderr, "usage: launcher sudo|pkexec <program> [<arg>...]")
		os.Exit(2)
	}
	closeDescriptors()
	// The environments the real launchers give a program.
	uid := strconv.Itoa(os.Getuid())
	env := []string{"PATH=/usr/bin:/bin", "SUDO_USER=" + os.Getenv("USER"), "SUDO_UID=" + uid, "SUDO_COMMAND=" + os.Args[2]}
	if os.Args[1] == "pkexec" {
		env = []string{"PATH=/usr/bin:/bin", "PKEXEC_UID=" + uid}
		fmt.Fprintln(os.Stderr, syscall.Exec(os.Args[2], os.Args[2:], env))
		os.Exit(127)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = env
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(127)
	}
}

// closeDescriptors makes every descriptor above stderr close on exec, as
// sudo's closefrom(3) does.
func closeDescriptors() {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
}
