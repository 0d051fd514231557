//go:build unix

package worker

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// withoutLineage makes cmd start its process without this process's
// lineage record, as if started by an unrelated program: nil ExtraFiles
// entries close those descriptors in the child, up to tokenFD.
func withoutLineage(cmd *exec.Cmd) {
	cmd.ExtraFiles = make([]*os.File, tokenFD-2)
	cmd.Env = withoutKey(cmd.Env, envLineage)
}

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
