// Command evalsymlinks resolves its own path before starting itself again.
package main

import (
	"log"
	"os"
	"os/exec"
	"path/filepath"
)

func main() {
	exe, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	exe, err = filepath.EvalSymlinks(exe)
	if err != nil {
		log.Fatal(err)
	}
	abs, err := filepath.Abs(filepath.Clean(exe))
	if err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command(abs, "--helper")
	cmd.Stdout = os.Stdout
	if err := cmd.Run(); err != nil {
		log.Fatal(err)
	}
}
