package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/bundlekit/bundle/bundler"
)

func schemaCommand() *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the JSON Schema of bundle.yaml (for editors and CI checks)",
		Description: "Prints the JSON Schema (draft 2020-12) that bundle.yaml is decoded with. Point your\n" +
			"editor's YAML language server at it:\n" +
			"  bundle schema > bundle.schema.json\n" +
			"  # yaml-language-server: $schema=bundle.schema.json",
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return bundler.UsageError(errors.New("schema takes no arguments"))
			}
			data, err := bundler.Schema()
			if err != nil {
				return err
			}
			_, err = c.App.Writer.Write(append(data, '\n'))
			return err
		},
	}
}
