// Command launch starts the program its arguments name and exits without
// waiting for it: the intermediate of a double launch, as cmd /c start is
// one, without the seconds ShellExecute can stall for under Wine. It does
// not import the worker package, so the guard knows nothing of it.
//
// Usage: launch <program> [<arg>...]
package main

import (
	"fmt"
	"os"
	"os/exec"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: launch <program> [<arg>...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
