// Command startprocess starts itself again with the low-level os API.
package main

import "os"

func main() {
	exe, err := os.Executable()
	if err != nil {
		return
	}
	attr := &os.ProcAttr{Files: []*os.File{os.Stdin, os.Stdout, os.Stderr}}
	p, err := os.StartProcess(exe, os.Args, attr)
	if err == nil {
		_, _ = p.Wait()
	}
}
