// Command bundle packages a Go application into release artifacts for
// every operating system: archives, installers and packages, with
// checksums and a machine-readable manifest.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/bundlekit/bundle/bundler"
)

func main() {
	os.Exit(run(withSignals(context.Background()), os.Args, os.Stdout, os.Stderr))
}

// run executes the command line and returns the process exit code. Errors
// are printed as one line on stderr (and as JSON on stdout with --json).
// A command that SIGINT or SIGTERM stopped says so in one line and exits
// with 130 or 143, whatever error the stop caused.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, args)
	var code int
	if i, ok := interruption(ctx); ok {
		code, err = i.code(), i
		switch {
		case len(args) > 1 && args[1] == "build":
			err = fmt.Errorf("%w; nothing half-written was left in dist", err)
		case len(args) > 1 && args[1] == "publish":
			err = fmt.Errorf("%w; a draft release may be left: run bundle publish again to complete it", err)
		}
	} else if err == nil {
		return bundler.ExitOK
	} else {
		code = bundler.ExitCode(err)
	}
	fmt.Fprintf(stderr, "bundle: %s\n", err)
	var done reportedInJSON
	if wantsJSON(args) && !errors.As(err, &done) {
		json.NewEncoder(stdout).Encode(map[string]any{"error": err.Error(), "exit_code": code})
	}
	return code
}

// reportedInJSON marks an error whose JSON report a command already
// printed, so run does not print a second JSON document.
type reportedInJSON struct{ error }

func (r reportedInJSON) Unwrap() error { return r.error }

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:  "bundle",
		Usage: "package a Go application for Windows, macOS and Linux",
		Description: "bundle compiles a Go application for every target in bundle.yaml and makes release\n" +
			"artifacts for each: archives, installers and packages, with checksums.txt and\n" +
			"artifacts.json in dist/. Start with `bundle init`, then `bundle build`.\n\n" +
			"Exit codes: 0 ok, 1 a build or packaging step failed, 2 usage or configuration\n" +
			"error, 3 a required external tool is missing, 130 interrupted (SIGINT, Ctrl-C),\n" +
			"143 stopped (SIGTERM). An interrupted build stops what it runs, removes its temporary\n" +
			"files and leaves in dist only the artifacts it finished.",
		Writer:          stdout,
		ErrWriter:       stderr,
		HideVersion:     true,
		ExitErrHandler:  func(*cli.Context, error) {}, // run() prints errors and picks the exit code
		OnUsageError:    usageError,
		CommandNotFound: func(*cli.Context, string) {},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return bundler.UsageError(fmt.Errorf("unknown command %q; run `bundle help` for the list", c.Args().First()))
			}
			return cli.ShowAppHelp(c)
		},
		Commands: []*cli.Command{
			buildCommand(),
			initCommand(),
			schemaCommand(),
			doctorCommand(),
			inspectCommand(),
			verifyCommand(),
			mergeCommand(),
			publishCommand(),
			updateCommand(),
			signFileCommand(),
			versionCommand(),
		},
	}
}

func usageError(c *cli.Context, err error, _ bool) error {
	return bundler.UsageError(fmt.Errorf("%v; run `bundle %s --help`", err, strings.TrimSpace(strings.TrimPrefix(c.Command.FullName(), "bundle"))))
}

func wantsJSON(args []string) bool {
	for _, a := range args {
		if a == "--json" || a == "-json" || a == "--json=true" {
			return true
		}
	}
	return os.Getenv("BUNDLE_JSON") == "true" || os.Getenv("BUNDLE_JSON") == "1"
}

// bundleVersion is the version of bundle itself, from the module version
// the binary was built from.
func bundleVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print bundle's own version, or the next release version (--next)",
		Description: "Without flags, prints bundle's own version.\n\n" +
			"--next patch|minor|major prints the semantic version after the latest git tag reachable\n" +
			"from HEAD in the current folder, or after --from: 1.2.3 gives 1.2.4, 1.3.0 or 2.0.0; a\n" +
			"pre-release becomes its own release when that is the bump (1.3.0-rc.1 --next minor gives\n" +
			"1.3.0). --next X.Y.Z prints X.Y.Z when it comes after that version. The version is\n" +
			"printed without a leading v, alone on its line.\n\n" +
			"Examples:\n" +
			"  bundle version --next minor\n" +
			"  bundle version --next patch --from v1.2.3\n" +
			"  git tag -a \"v$(bundle version --next minor)\" -m release",
		OnUsageError: usageError,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "next", Usage: "print the next release version: `BUMP` is patch, minor, major or an explicit X.Y.Z"},
			&cli.StringFlag{Name: "from", Usage: "with --next: the `VERSION` to go on from instead of the latest git tag"},
			jsonFlag(`print {"version": …} (bundle's own, or the next with --next)`),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return bundler.UsageError(fmt.Errorf("version takes no arguments, got %q; use --next %s", c.Args().First(), c.Args().First()))
			}
			bump, from := c.String("next"), c.String("from")
			if !c.IsSet("next") {
				if c.IsSet("from") {
					return bundler.UsageError(errors.New("--from: only used with --next; e.g. bundle version --next patch --from " + from))
				}
				if c.Bool("json") {
					return json.NewEncoder(c.App.Writer).Encode(map[string]string{"version": bundleVersion()})
				}
				_, err := fmt.Fprintln(c.App.Writer, "bundle", bundleVersion())
				return err
			}
			if c.IsSet("from") && from == "" {
				return bundler.UsageError(errors.New("--from: empty; pass a version such as --from 1.2.3"))
			}
			v, err := bundler.NextVersion(c.Context, ".", from, bump)
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return json.NewEncoder(c.App.Writer).Encode(map[string]string{"version": fmt.Sprint(v)})
			}
			_, err = fmt.Fprintln(c.App.Writer, v)
			return err
		},
	}
}
