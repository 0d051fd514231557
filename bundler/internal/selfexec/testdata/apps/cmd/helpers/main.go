// Command helpers passes its own path through functions, results and a struct field.
package main

import (
	"os"
	"os/exec"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func selfPath() string {
	exe, _ := os.Executable()
	return exe
}

// spawn is also called with another program; the launch inside it is still reported once.
func spawn(program string, args ...string) error {
	return exec.Command(program, args...).Run()
}

type helper struct {
	program string
}

func (h helper) start() error {
	return exec.Command(h.program, "--helper").Start()
}

func main() {
	_ = exec.Command(must(os.Executable())).Run()
	_ = spawn(selfPath(), "--once")
	_ = spawn("true")
	_ = helper{program: selfPath()}.start()
}
