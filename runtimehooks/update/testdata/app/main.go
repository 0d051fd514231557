// Command app is a test app for package update, built at two versions
// with -X ...update.builtVersion and -X main.behavior: "version" prints
// its version (and never reports healthy); "update FEED KEY STATE KIND"
// updates it and restarts into "serve"; "apply FEED KEY STATE KIND"
// installs the update and exits without a restart; "serve" behaves as
// main.behavior says: ok (report healthy), exit (exit 3 at once), hang
// (never report).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/bundlekit/bundle/runtimehooks/update"
	"github.com/bundlekit/bundle/runtimehooks/worker"
)

var behavior = "ok"

func main() {
	worker.Dispatch()
	if len(os.Args) < 2 {
		fail("usage: app version|update|serve")
	}
	switch os.Args[1] {
	case "version":
		v, _ := os.ReadFile(os.Args[0] + ".data")
		fmt.Printf("%s %s\n", update.RunningVersion(), v)
	case "serve":
		switch behavior {
		case "exit":
			os.Exit(3)
		case "hang":
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, syscall.SIGTERM)
			<-sig
			time.Sleep(time.Hour) // ignores the terminate: killed after the grace period
		}
		if err := update.Healthy(); err != nil {
			fail(err.Error())
		}
		fmt.Println("healthy", update.RunningVersion())
	case "update", "apply":
		u, err := update.New(update.Config{FeedURL: os.Args[2], PublicKeys: []string{os.Args[3]}, StateDir: os.Args[4], Kind: update.Kind(os.Args[5])})
		if err != nil {
			fail(err.Error())
		}
		ctx := context.Background()
		a, err := u.Check(ctx)
		if err != nil {
			fail(err.Error())
		}
		if a == nil {
			fmt.Println("up to date")
			return
		}
		path, err := u.Download(ctx, a, nil)
		if err != nil {
			fail(err.Error())
		}
		fmt.Println("applying", os.Getpid())
		ap, err := u.Apply(ctx, a, path)
		if err != nil {
			fail(err.Error())
		}
		fmt.Println("applied")
		if os.Args[1] == "apply" {
			ap.Close()
			return
		}
		err = ap.Restart(ctx, update.RestartOptions{Probation: 3 * time.Second, Grace: 500 * time.Millisecond, Stdout: os.Stdout, Stderr: os.Stderr}, "serve")
		if err != nil {
			fail(err.Error())
		}
		fmt.Println("updated to", a.Version())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(1)
}
