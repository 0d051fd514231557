//go:build !windows

package worker

// logDiagnostic does nothing: outside Windows, stderr is where programs report.
func logDiagnostic(exe, line string) {}
