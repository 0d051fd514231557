// Command pkgvar keeps its own path in package-level variables.
package main

import (
	"os"
	"os/exec"
	"path/filepath"
)

var self, _ = os.Executable()

var resolved = func() string {
	p, _ := filepath.EvalSymlinks("/proc/self/exe")
	return p
}()

var argv0 string

func init() {
	argv0 = os.Args[0]
}

func main() {
	_ = exec.Command(self).Start()
	_ = exec.Command(resolved).Start()
	_ = exec.Command(argv0).Start()
}
