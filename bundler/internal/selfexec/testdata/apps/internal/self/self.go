// Package self hands the app's own path to the module's other packages, through a function
// result, a package variable and a struct field, and launches whatever program they pass in.
package self

import (
	"os"
	"os/exec"
)

// Exe is the app's own path, set by init.
var Exe string

func init() {
	Exe, _ = os.Executable()
}

// Path returns the app's own path.
func Path() string {
	p, _ := os.Executable()
	return p
}

// Helper is a program to start.
type Helper struct {
	Program string
}

// Start launches the helper; whether that is the app depends on the literal in another package.
func (h Helper) Start() error {
	return exec.Command(h.Program, "--helper").Start()
}

// Run launches program; whether that is the app depends on the callers in other packages.
func Run(program string) error {
	return exec.Command(program).Run()
}
