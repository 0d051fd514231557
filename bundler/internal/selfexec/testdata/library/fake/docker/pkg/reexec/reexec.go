// Package reexec stands in for github.com/docker/docker/pkg/reexec.
package reexec

import "os/exec"

// Command starts the app again under name.
func Command(name string) *exec.Cmd {
	return exec.Command("/proc/self/exe", name)
}
