//go:build unix

package proc

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// ownGroup starts cmd in a new process group whose id is its pid, and
// makes cancelling it signal that group: SIGTERM first, so a `bundle
// sign-file` below makensis removes what it wrote, then SIGKILL for
// whatever is left after Grace.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		group := -cmd.Process.Pid
		err := syscall.Kill(group, syscall.SIGTERM)
		time.AfterFunc(Grace, func() { syscall.Kill(group, syscall.SIGKILL) })
		if err != nil {
			return os.ErrProcessDone
		}
		return nil
	}
}

// PassSecret gives cmd, which has not started yet, a file to read secret
// from and returns its path, such as /dev/fd/3, for cmd's arguments (or
// for a program cmd itself runs, which inherits the descriptor). The
// secret travels through a pipe: it is never on disk and can be read
// once. Call done after cmd has finished.
func PassSecret(cmd *exec.Cmd, secret []byte) (path string, done func(), err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, fmt.Errorf("pass a secret: %w", err)
	}
	cmd.ExtraFiles = append(cmd.ExtraFiles, r)
	// Written from a goroutine, so a secret larger than the pipe's buffer
	// cannot block the caller; once every reader is gone the write fails
	// and the goroutine ends.
	go func() {
		w.Write(secret)
		w.Close()
	}()
	return fmt.Sprintf("/dev/fd/%d", 2+len(cmd.ExtraFiles)), func() { r.Close() }, nil
}
