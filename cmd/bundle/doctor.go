package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/bundlekit/bundle/bundler/authenticode"
	"github.com/bundlekit/bundle/bundler/config"
	"github.com/bundlekit/bundle/bundler/doctor"
	"github.com/bundlekit/bundle/bundler/exitcode"
	"github.com/bundlekit/bundle/bundler/formats"
	"github.com/bundlekit/bundle/bundler/packager"
	"github.com/bundlekit/bundle/bundler/proc"
	"github.com/bundlekit/bundle/bundler/tool"
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
				return exitcode.Config(errors.New("doctor takes no arguments"))
			}
			used, signing, secrets, source, err := formatsInUse(c.String("config"))
			if err != nil {
				return err
			}
			// The tools' version commands see no signing secret either.
			checks := doctor.Run(proc.WithSecrets(c.Context, secrets...), used, signing)
			if c.Bool("json") {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				if err := enc.Encode(map[string]any{"config": source, "tools": checks}); err != nil {
					return err
				}
			} else {
				printDoctor(newPrinter(c.App.Writer), source, checks)
			}
			if missing := doctor.Missing(checks); len(missing) > 0 {
				return exitcode.Tool(fmt.Errorf("%d required tool(s) missing: %s", len(missing), missingNames(missing)))
			}
			return nil
		},
	}
}

// formatsInUse returns the formats bundle.yaml configures (every format
// when there is no bundle.yaml), the signing tools it needs and the
// variables that hold its signing secrets.
func formatsInUse(path string) ([]packager.Format, []tool.Tool, []string, string, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return formats.All(), []tool.Tool{authenticode.Tool, authenticode.OpenSSL}, nil, "no " + path + ": checking every format", nil
	}
	p, err := config.Load(path, formats.Known())
	if err != nil {
		return nil, nil, nil, "", err
	}
	var signing []tool.Tool
	if p.Config.Sign.Windows != nil && p.Config.UsesOS("windows") {
		signing = append(signing, authenticode.Tool, authenticode.OpenSSL)
	}
	var used []packager.Format
	for _, f := range formats.All() {
		for _, goos := range []string{"linux", "windows", "darwin"} {
			if p.Config.UsesOS(goos) && slices.Contains(p.Config.Formats.ForOS(goos), f.Name()) {
				used = append(used, f)
				break
			}
		}
	}
	return used, signing, p.Config.SecretEnv(), path, nil
}

func printDoctor(p printer, source string, checks []doctor.Check) {
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

func missingNames(cs []doctor.Check) string {
	var names []string
	for _, c := range cs {
		names = append(names, c.Command)
	}
	return strings.Join(names, ", ")
}
