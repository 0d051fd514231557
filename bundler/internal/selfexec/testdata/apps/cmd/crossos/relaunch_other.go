//go:build !windows

package main

func relaunch() {}
