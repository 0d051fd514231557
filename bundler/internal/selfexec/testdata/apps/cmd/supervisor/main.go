// Command supervisor keeps a copy of itself running as its child, restarting it whenever it exits.
package main

import (
	"flag"
	"log"
	"os"
	"os/exec"
	"time"
)

func main() {
	child := flag.Bool("child", false, "do the work, instead of supervising a child that does it")
	flag.Parse()
	if *child {
		work()
		return
	}
	supervise()
}

func supervise() {
	self, err := os.Executable()
	if err != nil {
		log.Fatalf("supervisor: %v", err)
	}
	for {
		cmd := exec.Command(self, "--child")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		started := time.Now()
		err := cmd.Run()
		log.Printf("supervisor: child exited (%v), restarting", err)
		if time.Since(started) < time.Second {
			time.Sleep(time.Second) // back off when the child dies at once
		}
	}
}

func work() {
	for range time.Tick(time.Minute) {
		log.Print("child: still working")
	}
}
