// Command otherprograms starts other programs, some with the app's own path or os.Args as arguments.
package main

import (
	"os"
	"os/exec"
	"syscall"
)

func main() {
	_ = exec.Command("ls", "-l").Run()
	_ = exec.Command("sh", "-c", os.Args[0]).Run()
	_ = exec.Command("/proc/self/status").Run()
	_ = syscall.Exec("/bin/sh", os.Args, os.Environ())
}
