// Command flagpath starts programs named by a flag and by a config file.
package main

import (
	"flag"
	"os"
	"os/exec"
	"strings"
)

func main() {
	helper := flag.String("helper", "/usr/libexec/app-helper", "helper program to start")
	flag.Parse()
	_ = exec.Command(*helper).Run()

	config, err := os.ReadFile("app.conf")
	if err != nil {
		return
	}
	_ = exec.Command(strings.TrimSpace(string(config))).Run()
}
