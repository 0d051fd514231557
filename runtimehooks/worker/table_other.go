//go:build !unix && !windows

package worker

import (
	"errors"
	"runtime"
)

// processTable does not exist where there are no processes to count (js,
// wasip1, plan9): nothing starts copies of a program there the way the
// table guards against.
type processTable struct{}

func openTable(string, int) (*processTable, error) {
	return nil, errors.New("no process table on " + runtime.GOOS)
}

func (*processTable) join(tableEntry, checkFunc) (string, error) {
	return "", errors.New("no process table on " + runtime.GOOS)
}

func (*processTable) record(checkFunc) (string, error) {
	return "", errors.New("no process table on " + runtime.GOOS)
}
