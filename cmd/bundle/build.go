package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/bundlekit/bundle/bundler"
)

func configFlag() cli.Flag {
	return &cli.StringFlag{Name: "config", Aliases: []string{"c"}, Value: "bundle.yaml", EnvVars: []string{"BUNDLE_CONFIG"}, Usage: "the bundle.yaml `FILE` to read; its folder is the project"}
}

func jsonFlag(usage string) cli.Flag {
	return &cli.BoolFlag{Name: "json", EnvVars: []string{"BUNDLE_JSON"}, Usage: usage}
}

func buildCommand() *cli.Command {
	return &cli.Command{
		Name:  "build",
		Usage: "compile every target and make its artifacts in dist/",
		Description: "Builds each GOOS/GOARCH in targets: (in parallel), then makes each configured format\n" +
			"for it, then writes dist/checksums.txt and dist/artifacts.json.\n\n" +
			"The version is --version, else $BUNDLE_VERSION, else version: in bundle.yaml, else the\n" +
			"git tag at HEAD. Archives carry $SOURCE_DATE_EPOCH (else the commit time) as every\n" +
			"file's time, so two builds of one commit are byte-identical.\n\n" +
			"Examples:\n" +
			"  bundle build --version 1.2.3\n" +
			"  bundle build --snapshot --target linux/amd64 --format tar.gz\n" +
			"  bundle build --clean --json > manifest.json",
		OnUsageError: usageError,
		Flags: []cli.Flag{
			configFlag(),
			&cli.StringFlag{Name: "version", Usage: "release `VERSION` (semver), overriding $BUNDLE_VERSION and bundle.yaml"},
			&cli.BoolFlag{Name: "snapshot", EnvVars: []string{"BUNDLE_SNAPSHOT"}, Usage: "build a pre-release X.Y.Z-snapshot.<sha> after the latest version (X.Y.Z-snapshot outside git); the next build replaces it without --clean"},
			// KeepSpace: a value with a stray space is refused, naming it,
			// instead of being trimmed behind the user's back.
			&cli.StringSliceFlag{Name: "target", Aliases: []string{"t"}, EnvVars: []string{"BUNDLE_TARGET"}, KeepSpace: true, Usage: "build only this `OS/ARCH`, one of targets: in bundle.yaml (repeat or comma-separate): " + strings.Join(bundler.Targets(), ", ")},
			&cli.StringSliceFlag{Name: "format", Aliases: []string{"f"}, EnvVars: []string{"BUNDLE_FORMAT"}, KeepSpace: true, Usage: "make only this `FORMAT`, one of formats: in bundle.yaml (repeat or comma-separate): " + strings.Join(bundler.FormatNames(), ", ")},
			&cli.StringFlag{Name: "dist", Aliases: []string{"d"}, Value: "dist", EnvVars: []string{"BUNDLE_DIST"}, Usage: "the output folder, `DIR`"},
			&cli.BoolFlag{Name: "clean", EnvVars: []string{"BUNDLE_CLEAN"}, Usage: "first remove what earlier builds wrote in the output folder"},
			&cli.IntFlag{Name: "parallel", Aliases: []string{"p"}, Value: runtime.NumCPU(), EnvVars: []string{"BUNDLE_PARALLEL"}, Usage: "`N` targets built at once"},
			&cli.BoolFlag{Name: "split", EnvVars: []string{"BUNDLE_SPLIT"}, Usage: "one job of a CI matrix: mark artifacts.json partial; join the jobs' dists with 'bundle merge'"},
			&cli.BoolFlag{Name: "strict", EnvVars: []string{"BUNDLE_STRICT"}, Usage: "under runtime.guard: refuse, fail when the app launches its own executable instead of warning (other modes let the relaunch run, so nothing fails)"},
			&cli.StringSliceFlag{Name: "skip", EnvVars: []string{"BUNDLE_SKIP"}, Usage: "leave out a `STEP` (repeat or comma-separate): " + strings.Join(bundler.SkipSteps(), ", ") + " (sign macOS code without waiting for Apple)"},
			&cli.BoolFlag{Name: "skip-unavailable", EnvVars: []string{"BUNDLE_SKIP_UNAVAILABLE"}, Usage: "skip formats whose external tool is missing (one line says what to install) instead of failing with exit code 3"},
			jsonFlag("print artifacts.json on stdout; progress goes to stderr"),
		},
		Action: runBuild,
	}
}

func runBuild(c *cli.Context) error {
	if c.NArg() > 0 {
		return bundler.UsageError(fmt.Errorf("build takes no arguments, got %q; use flags such as --target", c.Args().First()))
	}
	if c.Int("parallel") < 1 {
		return bundler.UsageError(fmt.Errorf("--parallel %d: must be at least 1", c.Int("parallel")))
	}
	dist := c.String("dist")
	if dist == "" { // BUNDLE_DIST set but empty
		dist = "dist"
	}
	jsonOut := c.Bool("json")
	progress := newPrinter(c.App.Writer)
	if jsonOut {
		progress = newPrinter(c.App.ErrWriter)
	}
	start := time.Now()
	shown := newProgress(progress)
	res, err := bundler.Build(c.Context, bundler.BuildOptions{
		Config:          c.String("config"),
		Version:         c.String("version"),
		EnvVersion:      os.Getenv("BUNDLE_VERSION"),
		Snapshot:        c.Bool("snapshot"),
		Targets:         c.StringSlice("target"),
		Formats:         c.StringSlice("format"),
		Dist:            dist,
		Clean:           c.Bool("clean"),
		Parallel:        c.Int("parallel"),
		SkipUnavailable: c.Bool("skip-unavailable"),
		SourceDateEpoch: os.Getenv("SOURCE_DATE_EPOCH"),
		Strict:          c.Bool("strict"),
		ToolVersion:     bundleVersion(),
		Split:           c.Bool("split"),
		Skip:            c.StringSlice("skip"),
		OnEvent:         shown.event,
	})
	shown.close()
	if err != nil {
		return err
	}
	if jsonOut {
		data, err := res.Manifest.JSON()
		if err != nil {
			return err
		}
		_, err = c.App.Writer.Write(data)
		return err
	}
	printSummary(progress, res, dist, time.Since(start), shown.warnings)
	return nil
}

// printSummary lists what dist holds, then repeats every warning, so none
// scrolls away unread.
func printSummary(p printer, res *bundler.BuildResult, dist string, elapsed time.Duration, warnings []string) {
	p.linef("")
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ARTIFACT\tTARGET\tFORMAT\tSIZE")
	for _, a := range res.Manifest.Artifacts {
		fmt.Fprintf(tw, "%s\t%s/%s\t%s\t%s\n", a.Path, a.OS, a.Arch, a.Format, bundler.HumanSize(a.Size))
	}
	tw.Flush()
	p.linef("%s, %s and %s in %s/ (%s)", plural(len(res.Manifest.Artifacts), "artifact"),
		bundler.ChecksumsName, bundler.ManifestName, dist, seconds(elapsed))
	if len(warnings) > 0 {
		p.linef("%s:", plural(len(warnings), "warning"))
		for _, w := range warnings {
			p.linef("%s %s", p.paint(yellow, "!"), w)
		}
	}
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }
