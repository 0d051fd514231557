// Command bundle packages a Go application into release artifacts for
// every operating system: archives, installers and packages, with
// checksums and a machine-readable manifest.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/bundlekit/bundle/bundler/exitcode"
)

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run executes the command line and returns the process exit code. Errors
// are printed as one line on stderr (and as JSON on stdout with --json).
func run(args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.Run(args)
	if err == nil {
		return exitcode.OK
	}
	code := exitcode.Of(err)
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
			"error, 3 a required external tool is missing.",
		Writer:          stdout,
		ErrWriter:       stderr,
		HideVersion:     true,
		ExitErrHandler:  func(*cli.Context, error) {}, // run() prints errors and picks the exit code
		OnUsageError:    usageError,
		CommandNotFound: func(*cli.Context, string) {},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return exitcode.Config(fmt.Errorf("unknown command %q; run `bundle help` for the list", c.Args().First()))
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
			versionCommand(),
		},
	}
}

func usageError(c *cli.Context, err error, _ bool) error {
	return exitcode.Config(fmt.Errorf("%v; run `bundle %s --help`", err, strings.TrimSpace(strings.TrimPrefix(c.Command.FullName(), "bundle"))))
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
		Usage: "print bundle's own version",
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return exitcode.Config(errors.New("version takes no arguments"))
			}
			_, err := fmt.Fprintln(c.App.Writer, "bundle", bundleVersion())
			return err
		},
	}
}
