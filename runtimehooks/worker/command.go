package worker

import (
	"errors"
	"os"
	"os/exec"
)

// Command returns an exec.Cmd that runs the running executable again with
// the given arguments, as an intended relaunch (restart, self-update,
// daemonising). The child passes the guard once and becomes a new root, so
// it may start workers and relaunch in turn. The returned command carries
// a one-shot marker in its Env; keep it when changing Env.
// Command returns ErrNested in a worker process.
func Command(args ...string) (*exec.Cmd, error) {
	if IsWorker() {
		return nil, ErrNested
	}
	exe := executable()
	if exe == "" {
		return nil, errors.New("worker: cannot locate the running executable")
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), envRelaunch+"=1")
	return cmd, nil
}
