// Command syscallexec replaces itself with itself, and forks a copy of itself.
package main

import (
	"os"
	"syscall"
)

func main() {
	exe, _ := os.Executable()
	if len(os.Args) > 1 {
		_, _ = syscall.ForkExec(exe, os.Args, &syscall.ProcAttr{Env: os.Environ()})
		return
	}
	_ = syscall.Exec(exe, append(os.Args, "again"), os.Environ())
}
