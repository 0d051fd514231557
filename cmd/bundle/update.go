package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/bundlekit/bundle/bundler"
)

func updateCommand() *cli.Command {
	return &cli.Command{
		Name:  "update",
		Usage: "manage the key that signs the update feed",
		Subcommands: []*cli.Command{{
			Name:      "keygen",
			Usage:     "make a minisign key pair for signing update feeds",
			ArgsUsage: "FILE",
			Description: "Writes the secret key to FILE (mode 0600) and the public key to FILE.pub, and never\n" +
				"overwrites either. Put the secret key's text in a CI secret named in update.key_env, and\n" +
				"the printed public key in update.public_keys. minisign -V verifies the feeds it signs.\n\n" +
				"Example:\n  bundle update keygen keys/update.key",
			OnUsageError: usageError,
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "password-env", Usage: "encrypt the secret key with the password in the environment variable `NAME` (decrypting it costs about a second and 1 GiB at every build)"},
			},
			Action: func(c *cli.Context) error {
				if c.NArg() != 1 {
					return bundler.UsageError(fmt.Errorf("update keygen: name the secret key's FILE, such as keys/update.key"))
				}
				password := ""
				if name := c.String("password-env"); name != "" {
					if password = os.Getenv(name); password == "" {
						return bundler.UsageError(fmt.Errorf("update keygen: --password-env: $%s is empty", name))
					}
				}
				path := c.Args().First()
				pub, err := bundler.WriteUpdateKey(path, password)
				if err != nil {
					return err
				}
				p := newPrinter(c.App.Writer)
				p.linef("%s secret key %s (keep it out of version control), public key %s.pub", p.paint(green, "✓"), path, path)
				p.linef("in bundle.yaml:\n  update:\n    url: https://github.com/OWNER/REPO/releases/download/v{version}/\n    feed_url: https://github.com/OWNER/REPO/releases/latest/download/update-{channel}.json\n    public_keys: [%s]\n    key_env: BUNDLE_UPDATE_KEY   # holds the text of %s", pub, path)
				return nil
			},
		}},
	}
}
