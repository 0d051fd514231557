// Command sibling starts a helper program installed next to its own executable.
package main

import (
	"os"
	"os/exec"
	"path/filepath"
)

func main() {
	exe, err := os.Executable()
	if err != nil {
		return
	}
	_ = exec.Command(filepath.Join(filepath.Dir(exe), "helper")).Run()
}
