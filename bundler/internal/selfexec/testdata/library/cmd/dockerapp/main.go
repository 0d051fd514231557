// Command dockerapp depends on docker's reexec through another package, and on moby's directly.
package main

import (
	"github.com/docker/docker/pkg/daemon"
	"github.com/moby/sys/reexec"
)

func main() {
	reexec.Register("dockerapp-helper", func() {})
	_ = daemon.Start()
}
