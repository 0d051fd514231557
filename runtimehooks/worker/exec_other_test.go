//go:build !unix && !windows

package worker

func hideRecord() {}

func walkHelper() int { return 2 }
