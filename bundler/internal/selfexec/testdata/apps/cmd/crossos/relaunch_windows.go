package main

import (
	"os"
	"os/exec"
	"syscall"
)

func relaunch() {
	exe, _ := os.Executable()
	cmd := exec.Command(exe, "--again")
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true}
	_ = cmd.Start()
}
