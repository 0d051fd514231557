// Command supervisor is a fixture of a real pattern: a parent that runs its
// own binary as a child with --child and restarts it when it exits. The
// relaunch is intended, so it is bundled with runtime.guard: warn.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
)

func main() {
	child := flag.Bool("child", false, "run as the supervised child")
	restarts := flag.Int("restarts", 3, "how many times to run the child")
	flag.Parse()
	if *child {
		fmt.Printf("child %d: working\n", os.Getpid())
		return
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := 1; i <= *restarts; i++ {
		cmd := exec.Command(self, "--child")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		err := cmd.Run()
		fmt.Printf("supervisor: run %d ended: %v\n", i, err)
	}
}
