package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/bundlekit/bundle/bundler/exitcode"
	"github.com/bundlekit/bundle/bundler/inspect"
	"github.com/bundlekit/bundle/bundler/verify"
	"github.com/bundlekit/bundle/bundler/version"
)

func inspectCommand() *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "say what an artifact holds: an executable's target, hook, resources and signature; a package's metadata and files",
		ArgsUsage: "FILE",
		Description: "Reads an executable (ELF, PE or Mach-O) and prints its OS and architecture, the Go\n" +
			"version and module it was built from, and whether bundle's runtime hook is compiled in,\n" +
			"with its guard mode and grace period (from the stamp the build linked in); for a Windows\n" +
			"executable also its version info, icon sizes, manifest settings and whether it is signed.\n" +
			"Reads a deb, rpm, apk or .pkg.tar.zst and prints its metadata and the files it installs.",
		OnUsageError: usageError,
		Flags:        []cli.Flag{jsonFlag("print the report as JSON")},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return exitcode.Config(errors.New("inspect takes one FILE; run `bundle inspect path/to/app`"))
			}
			r, err := inspect.Path(c.Context, c.Args().First())
			if err != nil {
				return err
			}
			if c.Bool("json") {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			p := newPrinter(c.App.Writer)
			switch {
			case r.Package != nil:
				printPackage(p, r.Package)
			case r.MacApp != nil:
				printMacApp(p, r.MacApp)
			default:
				printExecutable(p, r.Executable)
			}
			return nil
		},
	}
}

func printExecutable(p printer, x *inspect.Executable) {
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
	if res := x.Resources; res != nil {
		if v := res.Version; v != nil {
			p.linef("  version     file %s, product %s", version.WindowsFileString(v.FileVersion), version.WindowsFileString(v.ProductVersion))
			for _, s := range v.Strings {
				p.linef("    %-16s %s", s.Key, s.Value)
			}
		}
		p.linef("  icons       %v", res.IconSizes)
		for _, m := range manifestSettings(res.Manifest) {
			p.linef("  manifest    %s", m)
		}
	}
	if x.Signed != nil {
		state := p.paint(yellow, "unsigned")
		if *x.Signed {
			state = p.paint(green, "signed") + " (check it with osslsigncode verify)"
		}
		p.linef("  signature   %s", state)
	}
}

// manifestSettings picks the settings a reader cares about out of an
// application manifest.
func manifestSettings(m string) []string {
	var out []string
	for _, s := range []struct{ label, re string }{
		{"execution level", `requestedExecutionLevel level="([^"]+)"`},
		{"DPI awareness", `<dpiAwareness[^>]*>([^<]+)<`},
		{"long paths", `<longPathAware[^>]*>([^<]+)<`},
		{"code page", `<activeCodePage[^>]*>([^<]+)<`},
	} {
		if v := regexp.MustCompile(s.re).FindStringSubmatch(m); v != nil {
			out = append(out, s.label+": "+v[1])
		}
	}
	if strings.Contains(m, "Microsoft.Windows.Common-Controls") {
		out = append(out, "common controls: v6")
	}
	return out
}

func printMacApp(p printer, a *inspect.MacApp) {
	p.linef("%s (%s)", p.paint(bold, a.Path), a.Bundle)
	for _, f := range a.Plist {
		p.linef("  %-28s %s", f.Key, f.Value)
	}
	p.linef("  %-28s %s", "executable architectures", strings.Join(a.Arches, ", "))
}

func printPackage(p printer, pkg *inspect.Package) {
	p.linef("%s (%s)", p.paint(bold, pkg.Path), pkg.Format)
	for _, f := range pkg.Fields {
		p.linef("  %-14s %s", f.Key, strings.ReplaceAll(f.Value, "\n", "\n                 "))
	}
	p.linef("  files (%d):", len(pkg.Files))
	for _, f := range pkg.Files {
		p.linef("    %s", f)
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
