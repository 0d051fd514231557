package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/bundlekit/bundle/bundler/exitcode"
	"github.com/bundlekit/bundle/bundler/scaffold"
)

func initCommand() *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "write a commented bundle.yaml for the Go module in the current folder",
		Description: "Detects the module's main package, a name, a binary name and an id with `go list`,\n" +
			"and writes a starter bundle.yaml. An existing file is kept unless --force is given.",
		OnUsageError: usageError,
		Flags: []cli.Flag{
			configFlag(),
			&cli.BoolFlag{Name: "force", Usage: "overwrite an existing bundle.yaml"},
			jsonFlag("print what was written as JSON"),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return exitcode.Config(errors.New("init takes no arguments"))
			}
			path := c.String("config")
			if _, err := os.Stat(path); err == nil && !c.Bool("force") {
				return exitcode.Config(fmt.Errorf("%s already exists; pass --force to overwrite it", path))
			}
			p, err := scaffold.Detect(c.Context, filepath.Dir(path))
			if err != nil {
				return err
			}
			if err := scaffold.Write(path, p, c.Bool("force")); err != nil {
				return err
			}
			if c.Bool("json") {
				return json.NewEncoder(c.App.Writer).Encode(map[string]string{"path": path, "name": p.Name, "id": p.ID, "binary": p.Binary, "main": p.Main})
			}
			fmt.Fprintf(c.App.Writer, "wrote %s for %s (main: %s); check it, then run `bundle build --snapshot`\n", path, p.Name, p.Main)
			return nil
		},
	}
}
