// Command cmdpath starts itself again by filling in exec.Cmd directly, also in an elided &exec.Cmd literal.
package main

import (
	"os"
	"os/exec"
)

func main() {
	exe, _ := os.Executable()
	helper := &exec.Cmd{Path: exe, Args: []string{exe, "--helper"}}
	_ = helper.Start()

	var again exec.Cmd
	again.Path = exe
	again.Args = []string{exe}
	_ = again.Start()

	for _, c := range []*exec.Cmd{{Path: exe}} {
		_ = c.Start()
	}
}
