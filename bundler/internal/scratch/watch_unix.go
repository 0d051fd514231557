//go:build unix

package scratch

import (
	"os"
	"os/exec"
	"syscall"
)

// watch starts a watcher that removes dir once this process is gone, and
// returns stop, which ends the watcher. The watcher is sh, reading a pipe
// whose only writer is this process: the kernel closes it however the
// process ends, and sh's read then returns. It runs in a session of its
// own, so a signal to bundle's process group does not stop it before it
// has cleaned up, and holds none of bundle's output or environment. Without sh the folder
// is only removed by remove, as before.
//
// Written with sh rather than a helper of bundle's own because bundle is
// also a library: the program embedding it cannot be re-executed as a
// watcher.
func watch(dir string) (stop func()) {
	r, w, err := os.Pipe()
	if err != nil {
		return func() {}
	}
	defer r.Close()
	cmd := exec.Command("/bin/sh", "-c", `read -r _; rm -rf -- "$0"`, dir)
	cmd.Stdin = r
	cmd.Env = []string{"PATH=/bin:/usr/bin"} // none of bundle's, which may hold signing secrets
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return func() {}
	}
	go cmd.Wait() // reaped when it ends, whenever that is
	return func() { w.Close() }
}
