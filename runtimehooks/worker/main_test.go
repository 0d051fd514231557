package worker

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The test binary is also the program under test: tests start it again as
// workers (Dispatch), as naive self-children (refused by the guard), and as
// helper processes selected by envHelper.
const (
	envHelper       = "BUNDLE_RT_TEST_HELPER"
	envLifelineOnly = "BUNDLE_RT_TEST_LIFELINE_ONLY" // orphan-parent: no Pdeathsig / job object
	envChain        = "BUNDLE_RT_TEST_CHAIN"         // chain: "shell" or "direct"

	// chainCap stops the chain helper should the guard ever fail to.
	chainCap = 12

	// testTimeout bounds every wait for a child process.
	testTimeout = 20 * time.Second
)

func TestMain(m *testing.M) {
	Dispatch()
	// Race-enabled binaries sleep 1s at exit by default; the children of
	// these tests must exit as fast as real programs do.
	if gorace := os.Getenv("GORACE"); !strings.Contains(gorace, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(gorace+" atexit_sleep_ms=0"))
	}
	if mode := os.Getenv(envHelper); mode != "" {
		os.Exit(runHelper(mode, os.Args[1:]))
	}
	// The test process starts programs that must look unrelated to it
	// (withoutLineage); the guard's walk up the ancestors would find its
	// record otherwise. Its helpers get the record in the environment.
	hideRecord()
	os.Exit(m.Run())
}

// runHelper runs a helper mode of the test binary and returns its exit code.
func runHelper(mode string, args []string) int {
	switch mode {
	case "report":
		fmt.Printf("pid=%d isworker=%v depth=%d mode=%s assignment=%q relaunch=%q\n",
			os.Getpid(), IsWorker(), self.depth, GuardMode(), os.Getenv(envWorker), os.Getenv(envRelaunch))
		return 0
	case "orphan-parent":
		if os.Getenv(envLifelineOnly) == "1" {
			disableKernelSupervision()
		}
		if _, err := orphanWorker.Start(args...); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		time.Sleep(testTimeout) // the test kills this process
		return 1
	case "chain":
		fmt.Printf("depth=%d\n", self.depth)
		if self.depth >= chainCap {
			return 3
		}
		cmd := exec.Command(executable())
		if os.Getenv(envChain) == "shell" {
			cmd = exec.Command("sh", "-c", `"$0"; exit $?`, executable())
		}
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		return exitCodeOf(cmd.Run())
	case "token":
		fmt.Println(tokenReport())
		return 0
	case "walk":
		return walkHelper()
	case "table-join":
		return tableJoinHelper()
	case "exec-self":
		os.Setenv(envHelper, "report")
		fmt.Fprintln(os.Stderr, execSelf())
		return 1
	}
	fmt.Fprintf(os.Stderr, "unknown helper mode %q\n", mode)
	return 2
}

// exitCodeOf returns the exit code in a Wait or Run error: 0 for nil, -1 if
// the process did not exit normally.
func exitCodeOf(err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	return -1
}
