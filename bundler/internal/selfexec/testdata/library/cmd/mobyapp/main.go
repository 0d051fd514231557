// Command mobyapp uses moby's reexec directly and also starts itself through argv[0].
package main

import (
	"os"
	"os/exec"

	"github.com/moby/sys/reexec"
)

func main() {
	reexec.Register("mobyapp-helper", func() {})
	_ = reexec.Command("mobyapp-helper").Run()
	_ = exec.Command(os.Args[0], "--again").Run()
}
