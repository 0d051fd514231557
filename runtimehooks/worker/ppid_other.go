//go:build !windows

package worker

import "os"

func parentPID() int { return os.Getppid() }
