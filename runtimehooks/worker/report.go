package worker

import (
	"fmt"
	"os"
)

// report prints a one-line diagnostic to stderr and, where stderr may not be
// visible (Windows GUI programs), also to a log file.
func report(line string) {
	fmt.Fprintln(os.Stderr, line)
	logDiagnostic(executable(), line)
}
