// Command procself starts itself again through /proc/self/exe, written out and as a constant.
package main

import "os/exec"

const selfExe = "/proc/self/exe"

func main() {
	_ = exec.Command("/proc/self/exe", "child").Run()
	_ = exec.Command(selfExe, "child").Run()
}
