// Command updater is an app that keeps itself up to date from its release
// feed (update: in bundle.yaml): run with no arguments it proves itself
// healthy and prints its version; `updater update` finds, verifies,
// downloads and installs a newer version and restarts into it, and stays
// on the old one if the new one does not prove healthy.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/bundlekit/bundle/runtimehooks/update"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "update" {
		if err := selfUpdate(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "updater:", err)
			os.Exit(1)
		}
		return
	}
	// A real app proves itself first: its window is up, its server answers.
	if err := update.Healthy(); err != nil {
		fmt.Fprintln(os.Stderr, "updater:", err)
	}
	fmt.Println("updater", update.RunningVersion())
}

func selfUpdate(ctx context.Context) error {
	u, err := update.New(update.Config{}) // feed URL, keys and version come from bundle.yaml
	if err != nil {
		return err
	}
	a, err := u.Check(ctx)
	if err != nil {
		return err
	}
	if a == nil {
		fmt.Println("up to date:", update.RunningVersion())
		return nil
	}
	fmt.Printf("downloading %s (%d bytes)\n", a.Version(), a.File.Size)
	path, err := u.Download(ctx, a, nil)
	if err != nil {
		return err
	}
	applied, err := u.Apply(ctx, a, path)
	if err != nil {
		return err
	}
	err = applied.Restart(ctx, update.RestartOptions{Probation: 20 * time.Second, Stdout: os.Stdout, Stderr: os.Stderr})
	if errors.Is(err, update.ErrRolledBack) {
		fmt.Println("staying on", update.RunningVersion()+":", err)
		return nil
	}
	return err
}
