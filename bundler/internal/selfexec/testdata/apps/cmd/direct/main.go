// Command direct starts a helper by running its own executable.
package main

import (
	"log"
	"os"
	"os/exec"
)

func main() {
	exe, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	if err := exec.Command(exe, "--helper").Run(); err != nil {
		log.Fatal(err)
	}
}
