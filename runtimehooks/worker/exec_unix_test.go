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
// entries close those descriptors in the child, up to tokenFD, and the
// test process holds no record that the guard's walk could find
// (hideRecord).
func withoutLineage(_ *testing.T, cmd *exec.Cmd) {
	cmd.ExtraFiles = make([]*os.File, tokenFD-2)
	cmd.Env = withoutKey(cmd.Env, envLineage)
}

// hideRecord closes this process's lineage descriptor.
func hideRecord() { syscall.Close(tokenFD) }

// strippedCommand starts this executable as a launcher such as sudo or
// pkexec starts a program: with an empty environment but for env, and with
// every descriptor above stderr closed.
func strippedCommand(env ...string) *exec.Cmd {
	cmd := exec.Command(executable(), "-test.run=^$")
	cmd.Env = env
	cmd.ExtraFiles = make([]*os.File, tokenFD-2)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd
}

// walkHelper starts a copy of this process, which holds a record of its
// own, through a launcher that clears the environment and closes every
// descriptor (as sudo and pkexec do); the copy reports.
func walkHelper() int {
	return exitCodeOf(strippedCommand(envHelper + "=report").Run())
}

// TestWalkFindsTheStarter: a copy started with a cleared environment and
// every descriptor closed still finds its starter's record by walking up
// its ancestors, and so counts as a copy, which mode refuse (the test
// binary's, as no mode is built in and the environment is gone) refuses.
// Without the walk it would run as a root.
func TestWalkFindsTheStarter(t *testing.T) {
	cmd := helperCommand(t, "walk")
	code, stdout, stderr := runWithTimeout(t, cmd)
	want := fmt.Sprintf("refused to run main() again in a child started by its own executable (parent pid %d)", cmd.Process.Pid)
	if code != ExitRefused || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stdout %q, stderr %q; want the stripped copy refused as a copy: %q", code, stdout, stderr, want)
	}
}

// execSelf replaces this process with a fresh copy of the executable.
func execSelf() error {
	return syscall.Exec(executable(), []string{executable()}, os.Environ())
}

func TestInPlaceExec(t *testing.T) {
	cmd := helperCommand(t, "exec-self")
	code, stdout, stderr := runWithTimeout(t, cmd)
	want := fmt.Sprintf("pid=%d isworker=false depth=0", cmd.Process.Pid)
	if code != 0 || !strings.Contains(stdout, want) {
		t.Errorf("exit %d, stdout %q, stderr %q; want %q (same process, same generation)", code, stdout, stderr, want)
	}
}

// tokenReport describes what this process holds at tokenFD: its type,
// whether it is close-on-exec, and the record.
func tokenReport() string {
	var st syscall.Stat_t
	if err := syscall.Fstat(tokenFD, &st); err != nil {
		return fmt.Sprintf("fd=%v", err)
	}
	flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, tokenFD, syscall.F_GETFD, 0)
	record, _ := readTokenFD()
	return fmt.Sprintf("fd=%o cloexec=%v errno=%d record=%q", int(st.Mode)&syscall.S_IFMT, flags&syscall.FD_CLOEXEC != 0, errno, strings.TrimSpace(record))
}

// TestTokenDescriptor checks the lineage descriptor: every hooked process
// puts its own record there, inheritable, and leaves a descriptor it does
// not recognise alone.
func TestTokenDescriptor(t *testing.T) {
	t.Run("own record", func(t *testing.T) {
		cmd := helperCommand(t, "token")
		code, stdout, stderr := runWithTimeout(t, cmd)
		own := fmt.Sprintf(`record="%s %s:%d:`, lineageMagic, appIdentity(), cmd.Process.Pid)
		if want := fmt.Sprintf("fd=%o cloexec=false errno=0 ", syscall.S_IFREG); code != 0 || !strings.HasPrefix(stdout, want) || !strings.Contains(stdout, own) {
			t.Errorf("exit %d, stdout %q, stderr %q; want %q and %q", code, stdout, stderr, want, own)
		}
	})
	t.Run("foreign descriptor", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		defer w.Close()
		cmd := helperCommand(t, "token")
		cmd.ExtraFiles = make([]*os.File, tokenFD-2)
		cmd.ExtraFiles[tokenFD-3] = r
		code, stdout, stderr := runWithTimeout(t, cmd)
		if want := fmt.Sprintf("fd=%o cloexec=false errno=0 record=\"\"", syscall.S_IFIFO); code != 0 || strings.TrimSpace(stdout) != want {
			t.Errorf("exit %d, stdout %q, stderr %q; want the pipe left in place: %q", code, stdout, stderr, want)
		}
	})
}
