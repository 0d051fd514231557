// Command aliased starts itself again through renamed and dot imports.
package main

import (
	. "os"
	run "os/exec"
)

func main() {
	exe, _ := Executable()
	_ = run.Command(exe, "--helper").Start()
}
