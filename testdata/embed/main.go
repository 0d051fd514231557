// Command embed is a release tool that embeds bundle, as a user would
// write one: it builds, inspects and merges through the bundler package
// alone. bundle's tests build and test it as a module of its own, which
// can reach nothing of bundle but its public API.
//
// Usage:
//
//	embed build CONFIG DIST
//	embed inspect FILE
//	embed merge DIST INPUT...
//	embed schema
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/bundlekit/bundle/bundler"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(bundler.ExitCode(err))
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return bundler.UsageError(errors.New("name a command: build, inspect, merge or schema"))
	}
	switch cmd, rest := args[0], args[1:]; {
	case cmd == "build" && len(rest) == 2:
		return build(ctx, rest[0], rest[1])
	case cmd == "inspect" && len(rest) == 1:
		r, err := bundler.Inspect(ctx, rest[0])
		if err != nil {
			return err
		}
		if x := r.Executable; x != nil {
			fmt.Printf("%s %s/%s, hook present: %t\n", x.Format, x.OS, x.Arch, x.Hook.Present)
		}
		return json.NewEncoder(os.Stdout).Encode(r)
	case cmd == "merge" && len(rest) >= 2:
		m, err := bundler.Merge(ctx, rest[1:], rest[0], bundler.MergeOptions{Waiting: func() { fmt.Println("waiting for", rest[0]) }})
		if err != nil {
			return err
		}
		data, err := m.JSON()
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(data)
		return err
	case cmd == "schema" && len(rest) == 0:
		data, err := bundler.Schema()
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(data)
		return err
	}
	return bundler.UsageError(fmt.Errorf("%q: not a command with those arguments", args))
}

// build makes this machine's tar.gz of a snapshot, printing each artifact
// as it is packaged.
func build(ctx context.Context, config, dist string) error {
	res, err := bundler.Build(ctx, bundler.BuildOptions{
		Config:          config,
		Snapshot:        true,
		Dist:            dist,
		Clean:           true,
		Targets:         []string{"linux/amd64"},
		Formats:         []string{"tar.gz"},
		SkipUnavailable: true,
		ToolVersion:     "embed",
		OnEvent: func(e bundler.Event) {
			if e.Kind == bundler.Packaged {
				fmt.Printf("%s %s %s (%s)\n", e.Target, e.Format, e.Artifact.Path, bundler.HumanSize(e.Artifact.Size))
			}
		},
	})
	if err != nil {
		return err
	}
	fmt.Printf("%s %s from %s\n", res.Manifest.Name, res.Version, res.VersionSource)
	for _, s := range res.Skips {
		fmt.Printf("skipped %s: %s\n", s.Format, s.Reason)
	}
	return nil
}
