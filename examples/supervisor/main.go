// Command supervisor is a monitor that runs its own executable as its
// worker child and restarts the child whenever it crashes. The child
// crashes on its first two runs and then does its work, after which the
// monitor ends.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// crashes is how many runs of the child crash before one succeeds;
// maxRuns stops a child that never succeeds from being restarted forever.
const (
	crashes = 2
	maxRuns = 5
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "child" {
		run, _ := strconv.Atoi(os.Args[2])
		child(run)
		return
	}
	if err := monitor(); err != nil {
		fmt.Fprintln(os.Stderr, "supervisor:", err)
		os.Exit(1)
	}
}

// monitor restarts the child after each crash, pausing briefly as real
// supervisors do.
func monitor() error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	for run := 1; run <= maxRuns; run++ {
		cmd := exec.Command(self, "child", strconv.Itoa(run))
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		err := cmd.Run()
		if err == nil {
			fmt.Printf("supervisor: child finished cleanly after %d runs\n", run)
			return nil
		}
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return err
		}
		fmt.Printf("supervisor: child run %d crashed (%v); restarting\n", run, err)
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the child crashed %d times; giving up", maxRuns)
}

// child is the supervised work: it crashes on its first runs.
func child(run int) {
	if run <= crashes {
		fmt.Printf("child run %d: crashing\n", run)
		os.Exit(3)
	}
	fmt.Printf("child run %d: up\n", run)
	for i := 1; i <= 3; i++ {
		time.Sleep(100 * time.Millisecond)
		fmt.Printf("child run %d: working %d\n", run, i)
	}
}
