//go:build !unix && !windows

// Neither Unix nor Windows (js, wasip1, plan9): no supervision and no
// lineage descriptor.

package worker

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
)

// Platforms without Unix or Windows processes (js, wasip1, plan9) still get
// the guard; starting workers fails with a clear error.

var errUnsupported = errors.New("worker: worker processes are not supported on " + runtime.GOOS)

const lifelineCarriesGo = false

func passLifeline(*exec.Cmd, *os.File) (string, error) { return "", errUnsupported }

func afterStart(*os.Process, *os.File) {}

func requestStop(*os.Process) {}

func kill(p *os.Process) { p.Kill() }

func openLifeline(string) (*os.File, error) { return nil, errUnsupported }

func subscribeStopSignals() chan os.Signal {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	return c
}

// No process model to speak of: the environment carries the record, and
// every recorded process counts as alive.
func readTokenFD() (string, bool) { return "", false }

func installToken(string) {}

func processStart(int) int64 { return 0 }

func alive(lineageEntry) bool { return true }

func parentPID() int { return os.Getppid() }

// logDiagnostic does nothing: outside Windows, stderr is where programs report.
func logDiagnostic(exe, line string) {}
