package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/bundlekit/bundle/bundler"
)

func doctorCommand() *cli.Command {
	return &cli.Command{
		Name:  "doctor",
		Usage: "list the external tools the configured formats need, found or missing",
		Description: "Reads bundle.yaml (every format when there is none) and checks each external tool:\n" +
			"found or missing, its version, and the command that installs it. Exits 3 when a\n" +
			"required tool is missing.",
		OnUsageError: usageError,
		Flags:        []cli.Flag{configFlag(), jsonFlag("print the report as JSON")},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return bundler.UsageError(errors.New("doctor takes no arguments"))
			}
			source, checks, missing, err := bundler.Doctor(c.Context, c.String("config"))
			if err != nil {
				return err
			}
			if c.Bool("json") {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				if err := enc.Encode(map[string]any{"config": source, "tools": checks}); err != nil {
					return err
				}
			} else {
				printDoctor(newPrinter(c.App.Writer), source, checks)
			}
			if len(missing) > 0 {
				return bundler.MissingToolError(fmt.Errorf("%d required tool(s) missing: %s", len(missing), missingNames(missing)))
			}
			return nil
		},
	}
}

func printDoctor(p printer, source string, checks []bundler.ToolCheck) {
	p.linef("%s %s", p.paint(bold, "bundle doctor"), source)
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tTOOL\tNEEDED BY\tVERSION / INSTALL")
	for _, c := range checks {
		mark, detail := p.paint(green, "✓"), c.Version
		switch {
		case !c.Found && c.Required:
			mark, detail = p.paint(yellow, "✗"), "missing: "+c.Install
		case !c.Found:
			mark, detail = p.paint(dim, "-"), "optional, missing: "+c.Install
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", mark, c.Command, strings.Join(c.NeededBy, ", "), detail)
	}
	tw.Flush()
}

func missingNames(cs []bundler.ToolCheck) string {
	var names []string
	for _, c := range cs {
		names = append(names, c.Command)
	}
	return strings.Join(names, ", ")
}
