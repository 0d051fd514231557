package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/bundlekit/bundle/bundler"
)

func initCommand() *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "write a commented bundle.yaml for the Go module in the current folder",
		Description: "Detects the module's main package, a name, a binary name and an id with `go list`,\n" +
			"the license and copyright from LICENSE or COPYING, a description from the README or the\n" +
			"package doc, manual pages, and the variable the build sets to the version, and writes a\n" +
			"starter bundle.yaml. An existing file is kept unless --force is given. Unless git ignores\n" +
			"dist already, it adds /dist/ to .gitignore beside bundle.yaml, or writes one.",
		OnUsageError: usageError,
		Flags: []cli.Flag{
			configFlag(),
			&cli.BoolFlag{Name: "force", Usage: "overwrite an existing bundle.yaml"},
			jsonFlag("print what was written as JSON"),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return bundler.UsageError(errors.New("init takes no arguments"))
			}
			path := c.String("config")
			p, err := bundler.Init(c.Context, path, c.Bool("force"))
			if err != nil {
				return err
			}
			// dist is the build's output: a `git add -A` must not commit it.
			g, err := bundler.IgnoreDist(c.Context, filepath.Dir(path))
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return json.NewEncoder(c.App.Writer).Encode(map[string]any{
					"path": path, "name": p.Name, "id": p.ID, "binary": p.Binary, "main": p.Main,
					"other_mains": p.OtherMains, "license": p.License.SPDX, "version_var": p.VersionVar,
					"gitignore": g.Change, "gitignore_refused": g.Refused,
				})
			}
			w := c.App.Writer
			fmt.Fprintf(w, "wrote %s for %s (main: %s); check it, then run `bundle build --snapshot`\n", path, p.Name, p.Main)
			switch {
			case g.Change == bundler.GitignoreWritten:
				fmt.Fprintf(w, "wrote %s with /dist/, so git leaves the build output out\n", g.Path)
			case g.Change == bundler.GitignoreExtended:
				fmt.Fprintf(w, "added /dist/ to %s, so git leaves the build output out\n", g.Path)
			case g.Refused != "":
				fmt.Fprintf(w, "left %s as it is (%s); add /dist/ to git's ignore rules yourself\n", g.Path, g.Refused)
			}
			if len(p.OtherMains) > 0 {
				fmt.Fprintf(w, "also found %s; to package one of those, set main: in %s\n", strings.Join(p.OtherMains, ", "), path)
			}
			if p.NoDescription {
				fmt.Fprintf(w, "no summary found in the README or the package doc; write description: in %s before building deb or rpm packages\n", path)
			}
			if p.License.File != "" && p.License.SPDX == "" {
				fmt.Fprintf(w, "%s is not a license bundle recognises; set license: in %s to its SPDX id\n", p.License.File, path)
			}
			return nil
		},
	}
}
