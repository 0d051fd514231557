package worker

import "syscall"

// Windows has no descriptor inheritance through os/exec (it passes an
// explicit handle list), so only the environment carries the record.
func readTokenFD() (string, bool) { return "", false }

func installToken(string) {}

// processStart returns the creation time of process pid (100 ns units since
// 1970), which tells it from a later process with a reused pid; 0 if unknown.
func processStart(pid int) int64 {
	const processQueryLimitedInformation = 0x1000
	h, err := syscall.OpenProcess(processQueryLimitedInformation, false, uint32(pid))
	if err != nil {
		return 0
	}
	defer syscall.CloseHandle(h)
	return creationTime(h)
}

func creationTime(h syscall.Handle) int64 {
	var created, exited, kernel, user syscall.Filetime
	if err := syscall.GetProcessTimes(h, &created, &exited, &kernel, &user); err != nil {
		return 0
	}
	return created.Nanoseconds() / 100
}

// alive reports whether the process of e still runs.
func alive(e lineageEntry) bool {
	const processQueryLimitedInformation = 0x1000
	h, err := syscall.OpenProcess(processQueryLimitedInformation, false, uint32(e.pid))
	if err != nil {
		return false
	}
	defer syscall.CloseHandle(h)
	var code uint32
	const stillActive = 259
	if err := syscall.GetExitCodeProcess(h, &code); err != nil || code != stillActive {
		return false
	}
	return e.start == 0 || creationTime(h) == e.start
}
