package worker

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

func descendants(int) ([]int, bool) { return nil, false }

// kernelSupervision reports whether the worker is in a job object.
func kernelSupervision() string {
	var inJob int32
	proc := syscall.NewLazyDLL("kernel32.dll").NewProc("IsProcessInJob")
	self, _ := syscall.GetCurrentProcess()
	if ok, _, err := proc.Call(uintptr(self), 0, uintptr(unsafe.Pointer(&inJob))); ok == 0 {
		return fmt.Sprintf("injob=error(%v)", err)
	}
	return fmt.Sprintf("injob=%v", inJob != 0)
}

func disableKernelSupervision() { useJobObject = false }

func execSelf() error { return syscall.EWINDOWS }

// withoutLineage makes cmd start its process as an unrelated program's
// child: without the record in its environment, and with this process's
// parent as its parent, so that the guard's walk up the ancestors does not
// meet this hooked process. It skips the test when that parent cannot be
// used (it exited, or the test runs under Wine started from Unix).
func withoutLineage(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	const processCreateProcess, processDupHandle = 0x80, 0x40
	ppid := parentPID()
	parent, err := syscall.OpenProcess(processCreateProcess|processDupHandle, false, uint32(ppid))
	if err != nil {
		t.Skipf("no unrelated process to start the child from: parent %d: %v", ppid, err)
	}
	t.Cleanup(func() { syscall.CloseHandle(parent) })
	cmd.SysProcAttr = &syscall.SysProcAttr{ParentProcess: parent}
	cmd.Env = withoutKey(cmd.Env, envLineage)
}

func tokenReport() string { return "no descriptor on windows" }

// hideRecord does nothing: withoutLineage starts the child from another
// parent instead.
func hideRecord() {}

// walkHelper is Unix only: Windows walks its ancestors always.
func walkHelper() int { return 2 }

// TestRefusalLogged checks that a refusal also reaches the log file that
// GUI programs, which have no stderr, leave behind.
func TestRefusalLogged(t *testing.T) {
	cache := scratchDir(t)
	code, _, _ := runWithTimeout(t, selfCommand("LocalAppData="+cache, envGuard+"=refuse"))
	if code != ExitRefused {
		t.Fatalf("exit %d, want %d", code, ExitRefused)
	}
	base := filepath.Base(executable())
	log, err := os.ReadFile(filepath.Join(cache, "bundle-runtime", strings.TrimSuffix(base, filepath.Ext(base))+".log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "bundle runtime guard: refused to run main() again") {
		t.Errorf("log %q lacks the refusal", log)
	}
}
