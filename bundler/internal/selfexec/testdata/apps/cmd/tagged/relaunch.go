//go:build relaunch

package main

import (
	"os"
	"os/exec"
)

func relaunch() {
	_ = exec.Command(os.Args[0], "--again").Run()
}
