package main

import (
	"errors"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/bundlekit/bundle/bundler"
)

// signFileCommand is internal: makensis runs it to sign the uninstaller it
// writes into an installer, with the build's sign.windows and time.
func signFileCommand() *cli.Command {
	return &cli.Command{
		Name:         "sign-file",
		Usage:        "sign one Windows program with sign.windows (used by bundle build itself)",
		ArgsUsage:    "FILE",
		Hidden:       true,
		OnUsageError: usageError,
		Flags: []cli.Flag{
			configFlag(),
			&cli.Int64Flag{Name: "time", Usage: "the signing time, Unix seconds"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return bundler.UsageError(errors.New("sign-file takes one FILE"))
			}
			return bundler.SignFile(c.Context, c.String("config"), time.Unix(c.Int64("time"), 0), c.Args().First())
		},
	}
}
