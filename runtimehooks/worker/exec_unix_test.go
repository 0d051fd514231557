//go:build unix

package worker

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
)

// execSelf replaces this process with a fresh copy of the executable.
func execSelf() error {
	return syscall.Exec(self.exe, []string{self.exe}, os.Environ())
}

func TestInPlaceExec(t *testing.T) {
	cmd := helperCommand(t, "exec-self")
	code, stdout, stderr := runWithTimeout(t, cmd)
	want := fmt.Sprintf("pid=%d isworker=false depth=0", cmd.Process.Pid)
	if code != 0 || !strings.Contains(stdout, want) {
		t.Errorf("exit %d, stdout %q, stderr %q; want %q (same process, same generation)", code, stdout, stderr, want)
	}
}
