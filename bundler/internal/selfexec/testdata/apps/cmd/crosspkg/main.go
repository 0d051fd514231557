// Command crosspkg gets its own path from another package of its module and hands it back.
package main

import (
	"os/exec"

	"example.com/fixture/internal/self"
)

func main() {
	_ = exec.Command(self.Path()).Run()
	_ = exec.Command(self.Exe).Run()
	_ = self.Run(self.Path())
	_ = self.Helper{Program: self.Exe}.Start()
}
