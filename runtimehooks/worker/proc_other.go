//go:build !linux

package worker

import "os"

// ancestorRecord returns no record: on Windows readTokenFD walks the
// ancestors already, and elsewhere there is no /proc to walk with the
// standard library alone (see the package doc's limits). The parent is
// taken for init or a service manager when it is pid 1.
func ancestorRecord(ppid int) (string, bool) { return "", ppid == 1 }

// ownStart returns this process's start id: outside Linux it costs no
// read of a file, and Windows's registry records need it exact.
func ownStart(bool) int64 { return processStart(os.Getpid()) }

// rootsJoinTable is true outside Linux: the table is where a program's
// processes are counted there.
const rootsJoinTable = true

// programProcesses reports false: outside Linux, processes are not
// counted (see the package doc's limits).
func programProcesses() (int, bool) { return 0, false }
