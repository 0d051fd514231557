package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/bundlekit/bundle/bundler/exitcode"
	"github.com/bundlekit/bundle/bundler/inspect"
	"github.com/bundlekit/bundle/bundler/verify"
)

func inspectCommand() *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "say what a built executable holds: target, Go version, runtime hook and guard mode",
		ArgsUsage: "FILE",
		Description: "Reads an executable (ELF, PE or Mach-O) and prints its OS and architecture, the Go\n" +
			"version and module it was built from, and whether bundle's runtime hook is compiled in,\n" +
			"with its guard mode and grace period (from the stamp the build linked in).",
		OnUsageError: usageError,
		Flags:        []cli.Flag{jsonFlag("print the report as JSON")},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return exitcode.Config(errors.New("inspect takes one FILE; run `bundle inspect path/to/app`"))
			}
			x, err := inspect.File(c.Args().First())
			if err != nil {
				return err
			}
			if c.Bool("json") {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				return enc.Encode(x)
			}
			p := newPrinter(c.App.Writer)
			p.linef("%s", p.paint(bold, x.Path))
			p.linef("  format      %s, %s/%s", x.Format, x.OS, x.Arch)
			if x.GoVersion != "" {
				p.linef("  go          %s (module %s)", x.GoVersion, x.Module)
			}
			if x.Hook.Present {
				p.linef("  hook        %s guard=%s grace=%s", p.paint(green, "present"), x.Hook.Guard, x.Hook.Grace)
			} else {
				p.linef("  hook        %s", p.paint(yellow, "absent"))
			}
			return nil
		},
	}
}

func verifyCommand() *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "run a built program and check how many processes its tree reaches",
		ArgsUsage: "FILE [-- ARGS…]",
		Description: "Runs FILE (built for this machine) with ARGS, samples its whole process tree every\n" +
			"--interval, and after --watch stops it (SIGTERM, then after --grace SIGKILL to every\n" +
			"process left). Prints the most processes alive at once and exits 1 when that exceeds\n" +
			"--max-procs: the check for the frozen-app fork bomb, automated. Linux only.\n\n" +
			"Example:\n  bundle verify --watch 15s --max-procs 2 dist/app -- --no-browser",
		OnUsageError: usageError,
		Flags: []cli.Flag{
			&cli.DurationFlag{Name: "watch", Value: 15e9, Usage: "how long to watch"},
			&cli.IntFlag{Name: "max-procs", Value: 2, Usage: "the most processes allowed at once, the program included"},
			&cli.DurationFlag{Name: "interval", Value: 50e6, Usage: "time between samples"},
			&cli.DurationFlag{Name: "grace", Value: 5e9, Usage: "time the program gets to exit after SIGTERM at the end"},
			jsonFlag("print the report as JSON"),
		},
		Action: runVerify,
	}
}

func runVerify(c *cli.Context) error {
	args := c.Args().Slice()
	if len(args) == 0 {
		return exitcode.Config(errors.New("verify needs a FILE to run; run `bundle verify --help`"))
	}
	path, rest := args[0], args[1:]
	if len(rest) > 0 && rest[0] == "--" {
		rest = rest[1:]
	}
	if c.Int("max-procs") < 1 || c.Duration("watch") <= 0 || c.Duration("interval") <= 0 {
		return exitcode.Config(errors.New("--max-procs, --watch and --interval must be positive"))
	}
	r, err := verify.Run(c.Context, verify.Options{
		Path: path, Args: rest, Watch: c.Duration("watch"), Interval: c.Duration("interval"),
		Grace: c.Duration("grace"), Stdout: c.App.ErrWriter, Stderr: c.App.ErrWriter,
	})
	if errors.Is(err, verify.ErrUnsupported) {
		return exitcode.Config(err)
	}
	if err != nil {
		return err
	}
	limit := c.Int("max-procs")
	var exceeded error
	if r.MaxProcs > limit {
		exceeded = fmt.Errorf("verify: %s reached %d processes at once, more than --max-procs %d", path, r.MaxProcs, limit)
	}
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{
			"max_procs": r.MaxProcs, "limit": limit, "distinct": r.Distinct, "samples": r.Samples,
			"seconds": r.Elapsed.Seconds(), "exited": r.Exited, "exit_code": r.ExitCode, "killed": r.Killed,
			"ok": exceeded == nil,
		}); err != nil {
			return err
		}
		if exceeded != nil {
			return reportedInJSON{exceeded}
		}
	} else {
		p := newPrinter(c.App.Writer)
		how := fmt.Sprintf("stopped after %s", seconds(r.Elapsed))
		if r.Exited {
			how = fmt.Sprintf("exited with status %d after %s", r.ExitCode, seconds(r.Elapsed))
		}
		p.linef("verify: at most %d processes at once (limit %d), %d seen in all, %d samples; %s; %d killed at the end",
			r.MaxProcs, limit, r.Distinct, r.Samples, how, r.Killed)
	}
	return exceeded
}
