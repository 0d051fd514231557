package main

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/bundlekit/bundle/bundler"
)

func publishCommand() *cli.Command {
	return &cli.Command{
		Name:  "publish",
		Usage: "publish the build in dist/ as a release on GitHub, Gitea or Forgejo",
		Description: "Checks every file of dist against artifacts.json, then creates a draft release of the\n" +
			"version's tag (v<version>), uploads the files, checksums.txt and artifacts.json, checks the\n" +
			"draft's files by name, size and sha256, and publishes it, once. Safe to run again: a file\n" +
			"already on the draft and identical is kept, a broken-off upload is replaced, and a run over\n" +
			"a complete release changes nothing. Lost connections, 5xx and 429 (Retry-After) are\n" +
			"retried; other 4xx are not. An interrupted run leaves the draft for the next one.\n\n" +
			"The token comes from $GITHUB_TOKEN (or $GITEA_TOKEN with --forge gitea) and never appears in\n" +
			"output or in the programs bundle runs; the API from --api or $GITHUB_API_URL; the repository\n" +
			"from --repo or $GITHUB_REPOSITORY. The release's text is --notes FILE, or the subjects of\n" +
			"the commits since the previous tag. Once the release is out, the Homebrew cask, the Scoop\n" +
			"manifest and the AUR package go to the tap, bucket and AUR repository bundle.yaml names\n" +
			"(package_managers.homebrew.tap, scoop.bucket, aur.git), one commit each, never forced.\n\n" +
			"Examples:\n" +
			"  GITHUB_TOKEN=… bundle publish --repo octo-org/hello\n" +
			"  GITEA_TOKEN=… bundle publish --forge gitea --api https://codeberg.org/api/v1 --repo me/hello",
		OnUsageError: usageError,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dist", Aliases: []string{"d"}, Value: "dist", EnvVars: []string{"BUNDLE_DIST"}, Usage: "the finished build's folder, `DIR`"},
			&cli.StringFlag{Name: "repo", Usage: "the repository, `OWNER/NAME` (default: $GITHUB_REPOSITORY)"},
			&cli.StringFlag{Name: "forge", Value: "github", Usage: "the forge's API: `KIND` is github or gitea (Gitea, Forgejo, Codeberg)"},
			&cli.StringFlag{Name: "api", Usage: "the API's address, `URL` (default: $GITHUB_API_URL, else https://api.github.com; required for gitea)"},
			&cli.StringFlag{Name: "tag", Usage: "the release's `TAG` (default: v<version>); it must name the version dist holds"},
			&cli.StringFlag{Name: "notes", Usage: "the release's text, from `FILE` (default: the commits since the previous tag)"},
			&cli.BoolFlag{Name: "replace", Usage: "replace a draft's files that differ from dist and remove those not in it"},
			&cli.StringFlag{Name: "config", Aliases: []string{"c"}, EnvVars: []string{"BUNDLE_CONFIG"}, Usage: "the bundle.yaml `FILE` whose package_managers names the tap, bucket and AUR package the manifests go to (default: ./bundle.yaml when there is one)"},
			jsonFlag(`print {"tag", "url", "published", "uploaded", "kept", "removed", "pushed"}`),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return bundler.UsageError(fmt.Errorf("publish takes no arguments, got %q; name the folder with --dist", c.Args().First()))
			}
			p := newPrinter(c.App.Writer)
			if c.Bool("json") {
				p = newPrinter(c.App.ErrWriter)
			}
			res, err := bundler.Publish(c.Context, bundler.PublishOptions{
				Dist: c.String("dist"), Forge: c.String("forge"), API: c.String("api"), Repo: c.String("repo"),
				Tag: c.String("tag"), Notes: c.String("notes"), Replace: c.Bool("replace"), Config: c.String("config"),
				Say: func(line string) { p.linef("%s %s", p.paint(dim, "·"), line) },
			})
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return json.NewEncoder(c.App.Writer).Encode(res)
			}
			if res.Published {
				p.linef("%s published %s: %d files uploaded, %d already there; %s", p.paint(green, "✓"), res.Tag, len(res.Uploaded), len(res.Kept), res.URL)
			} else {
				p.linef("%s %s was published already with these files; nothing changed: %s", p.paint(green, "✓"), res.Tag, res.URL)
			}
			return nil
		},
	}
}
