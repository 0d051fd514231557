// Command localcommand has its own Command function and Path field, which start nothing.
package main

import (
	"fmt"
	"os"
)

type job struct {
	Path string
}

func Command(name string, args ...string) job {
	return job{Path: name}
}

func main() {
	exe, _ := os.Executable()
	j := Command(exe, "--helper")
	j.Path = exe
	fmt.Println(j)
}
