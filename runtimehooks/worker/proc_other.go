//go:build !linux

package worker

// ancestorRecord returns "": on Windows readTokenFD walks the ancestors
// already, and elsewhere there is no /proc to walk with the standard
// library alone (see the package doc's limits).
func ancestorRecord() string { return "" }

// isOrphan reports whether ppid is init; elsewhere than Linux nothing
// more is known cheaply.
func isOrphan(ppid int) bool { return ppid == 1 }

// programProcesses reports false: outside Linux, processes are not
// counted (see the package doc's limits).
func programProcesses() (int, bool) { return 0, false }
