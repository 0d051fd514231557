//go:build unix

package worker

import (
	"runtime"
	"strconv"
	"syscall"
)

// inheritsListener reports whether this process inherited a listening
// socket (above stderr, other than tokenFD): a server that hands its
// listener to its successor, as graceful-restart libraries (tableflip,
// endless, grace) do, starts a copy that may run while its starter still
// serves. It runs before the program can have opened sockets of its own.
func inheritsListener() bool {
	for _, fd := range openDescriptors() {
		if fd > 2 && fd != tokenFD {
			if v, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_ACCEPTCONN); err == nil && v != 0 {
				return true
			}
		}
	}
	return false
}

// openDescriptors lists this process's descriptors: from /proc/self/fd on
// Linux (three system calls), elsewhere by probing those below tokenFD.
func openDescriptors() []int {
	var fds []int
	if runtime.GOOS == "linux" {
		dir, err := syscall.Open("/proc/self/fd", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err == nil {
			defer syscall.Close(dir)
			buf := make([]byte, 4096)
			for {
				n, err := syscall.ReadDirent(dir, buf)
				if err != nil || n <= 0 {
					return fds
				}
				_, _, names := syscall.ParseDirent(buf[:n], -1, nil)
				for _, name := range names {
					if fd, err := strconv.Atoi(name); err == nil && fd != dir {
						fds = append(fds, fd)
					}
				}
			}
		}
	}
	for fd := 3; fd < tokenFD; fd++ {
		var st syscall.Stat_t
		if syscall.Fstat(fd, &st) == nil {
			fds = append(fds, fd)
		}
	}
	return fds
}
