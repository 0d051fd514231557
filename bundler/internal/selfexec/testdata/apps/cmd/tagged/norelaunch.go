//go:build !relaunch

package main

func relaunch() {}
