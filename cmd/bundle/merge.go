package main

import (
	"github.com/urfave/cli/v2"

	"github.com/bundlekit/bundle/bundler"
)

func mergeCommand() *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "join the dist folders of several CI jobs into one dist with one manifest and checksum file",
		ArgsUsage: "DIST…",
		Description: "Each job of a CI matrix builds some targets with `bundle build --target … --split` into\n" +
			"its own folder; merge checks that they are builds of one app and version with no\n" +
			"artifact made twice, checks every file against its sha256, and writes the files,\n" +
			"checksums.txt and artifacts.json into --dist. The jobs' update feeds are checked, joined\n" +
			"into one feed per channel and signed again with the update key of --config.\n\n" +
			"Example:\n  bundle merge --dist dist dist-linux dist-windows dist-darwin",
		OnUsageError: usageError,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dist", Aliases: []string{"d"}, Value: "dist", EnvVars: []string{"BUNDLE_DIST"}, Usage: "the output folder, `DIR`"},
			configFlag(),
			&cli.BoolFlag{Name: "clean", EnvVars: []string{"BUNDLE_CLEAN"}, Usage: "first remove what earlier builds wrote in the output folder"},
			jsonFlag("print the merged artifacts.json on stdout"),
		},
		Action: func(c *cli.Context) error {
			dist := c.String("dist")
			if dist == "" {
				dist = "dist"
			}
			p := newPrinter(c.App.Writer)
			if c.Bool("json") {
				p = newPrinter(c.App.ErrWriter)
			}
			m, err := bundler.Merge(c.Context, c.Args().Slice(), dist, bundler.MergeOptions{Clean: c.Bool("clean"), Config: c.String("config"), Waiting: func() {
				p.linef("%s dist folder %q is in use by another bundle build; waiting for it to finish", p.paint(yellow, "…"), dist)
			}})
			if err != nil {
				return err
			}
			if c.Bool("json") {
				data, err := m.JSON()
				if err != nil {
					return err
				}
				_, err = c.App.Writer.Write(data)
				return err
			}
			p.linef("%s %s %s: %d artifacts, %s and %s in %s/", p.paint(green, "✓"), m.Name, m.Version,
				len(m.Artifacts), bundler.ChecksumsName, bundler.ManifestName, dist)
			return nil
		},
	}
}
