//go:build !linux && !windows

package worker

func descendants(int) ([]int, bool) { return nil, false }

func kernelSupervision() string { return "lifeline-only" }

func disableKernelSupervision() {}
