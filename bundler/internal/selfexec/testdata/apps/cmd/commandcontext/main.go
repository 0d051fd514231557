// Command commandcontext starts itself again with a deadline.
package main

import (
	"context"
	"os"
	"os/exec"
	"time"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	exe, _ := os.Executable()
	_ = exec.CommandContext(ctx, exe, "--worker").Run()
}
