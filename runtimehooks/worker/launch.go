//go:build !linux

package worker

import "os/exec"

// launch starts cmd and calls exited with the result of Wait once the child
// has exited.
func launch(cmd *exec.Cmd, exited func(error)) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { exited(cmd.Wait()) }()
	return nil
}
