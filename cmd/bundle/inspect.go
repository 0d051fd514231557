package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/urfave/cli/v2"

	"github.com/bundlekit/bundle/bundler"
)

func inspectCommand() *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "say what an artifact holds: an executable's target, hook, resources and signature; a package's, archive's or installer's metadata and files",
		ArgsUsage: "FILE",
		Description: "Reads an executable (ELF, PE or Mach-O) and prints its OS and architecture, the Go\n" +
			"version and module it was built from, and whether bundle's runtime hook is compiled in,\n" +
			"with its guard mode and grace period (from the stamp the build linked in); for a Windows\n" +
			"executable also its version info, icon sizes, manifest settings and whether it is signed.\n" +
			"Reads a deb, rpm, apk or .pkg.tar.zst and prints its metadata and the files it installs.\n" +
			"Reads an msi (with msiinfo from msitools) and prints its product name, version,\n" +
			"manufacturer, product, upgrade and package codes, install scope, shortcuts, the files\n" +
			"it installs and whether it is signed. Reads a tar.gz or zip and lists its entries\n" +
			"(path, size, mode, links; paths that would unpack outside the folder are flagged,\n" +
			"nothing is unpacked) and inspects the executable inside. Reads a .app folder, or\n" +
			"a zip or dmg holding one, and prints its Info.plist and architectures.",
		OnUsageError: usageError,
		Flags:        []cli.Flag{jsonFlag("print the report as JSON")},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return bundler.UsageError(errors.New("inspect takes one FILE; run `bundle inspect path/to/app`"))
			}
			r, err := bundler.Inspect(c.Context, c.Args().First())
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
			case r.Archive != nil:
				printArchive(p, r.Archive)
			case r.MSI != nil:
				printMSI(p, r.MSI)
			default:
				printExecutable(p, r.Executable)
			}
			return nil
		},
	}
}

func printExecutable(p printer, x *bundler.Executable) {
	p.linef("%s", p.paint(bold, x.Path))
	printExecutableDetails(p, x, "  ")
}

// printExecutableDetails prints what follows an executable's path, each
// line indented by in.
func printExecutableDetails(p printer, x *bundler.Executable, in string) {
	p.linef("%sformat      %s, %s/%s", in, x.Format, x.OS, x.Arch)
	if x.GoVersion != "" {
		p.linef("%sgo          %s (module %s)", in, x.GoVersion, x.Module)
	}
	switch {
	case x.Hook.Present:
		p.linef("%shook        %s guard=%s grace=%s max_procs=%s", in, p.paint(green, "present"), x.Hook.Guard, x.Hook.Grace, x.Hook.MaxProcs)
	case x.Hook.Unknown != "":
		p.linef("%shook        %s: %s", in, p.paint(yellow, "unknown"), x.Hook.Unknown)
	default:
		p.linef("%shook        %s", in, p.paint(yellow, "absent"))
	}
	if x.ReadInPart != "" {
		p.linef("%sread        %s %s", in, p.paint(yellow, "in part:"), x.ReadInPart)
	}
	if x.ResourcesError != "" {
		p.linef("%sresources   %s: %s", in, p.paint(yellow, "unreadable, so version info and icons are not shown"), printable(x.ResourcesError))
	}
	if res := x.Resources; res != nil {
		if v := res.Version; v != nil {
			p.linef("%sversion     file %s, product %s", in, v.FileString(), v.ProductString())
			for _, s := range v.Strings {
				p.linef("%s  %-16s %s", in, s.Key, s.Value)
			}
		}
		p.linef("%sicons       %v", in, res.IconSizes)
		settings, err := res.ManifestSettings()
		if err != nil {
			settings = append(settings, "not well-formed XML: "+err.Error())
		}
		for _, m := range settings {
			p.linef("%smanifest    %s", in, m)
		}
	}
	if x.Signed != nil {
		p.linef("%ssignature   %s", in, signature(p, *x.Signed))
	}
	if x.OS == "darwin" {
		p.linef("%scodesign    %s", in, codeSignature(p, x.CodeSignature))
	}
}

// codeSignature sums up a macOS code signature on one line.
func codeSignature(p printer, s *bundler.CodeSignature) string {
	if s == nil {
		return p.paint(yellow, "unsigned")
	}
	if s.Signer == "" {
		return p.paint(yellow, "ad hoc") + " (" + strings.Join(s.Flags, ", ") + "); Gatekeeper rejects it when downloaded"
	}
	line := fmt.Sprintf("%s by %q, team %s, identifier %s", p.paint(green, "signed"), s.Signer, s.TeamID, s.Identifier)
	if len(s.Flags) > 0 {
		line += ", flags " + strings.Join(s.Flags, ",")
	}
	if len(s.Entitlements) > 0 {
		line += ", entitlements " + strings.Join(s.Entitlements, " ")
	}
	if s.Timestamp != "" {
		line += ", timestamp " + s.Timestamp
	} else {
		line += ", no secure timestamp (notarization needs one)"
	}
	return line
}

func signature(p printer, signed bool) string {
	if signed {
		return p.paint(green, "signed") + " (check it with osslsigncode verify)"
	}
	return p.paint(yellow, "unsigned")
}

func printMacApp(p printer, a *bundler.MacApp) {
	p.linef("%s (%s)", p.paint(bold, a.Path), a.Bundle)
	for _, f := range a.Plist {
		p.linef("  %-28s %s", f.Key, f.Value)
	}
	p.linef("  %-28s %s", "executable architectures", strings.Join(a.Arches, ", "))
	if a.ExecutableReadInPart != "" {
		p.linef("  %-28s %s %s", "executable read", p.paint(yellow, "in part:"), a.ExecutableReadInPart)
	}
	seal := "no resource seal"
	if a.Sealed {
		seal = "resources sealed"
	}
	p.linef("  %-28s %s; %s", "code signature", codeSignature(p, a.CodeSignature), seal)
}

func printPackage(p printer, pkg *bundler.Package) {
	p.linef("%s (%s)", p.paint(bold, pkg.Path), pkg.Format)
	for _, f := range pkg.Fields {
		p.linef("  %-14s %s", f.Key, strings.ReplaceAll(f.Value, "\n", "\n                 "))
	}
	p.linef("  files (%d):", len(pkg.Files))
	for _, f := range pkg.Files {
		p.linef("    %s", printable(f))
	}
	for _, u := range pkg.Unsafe {
		p.linef("  %s %s", p.paint(yellow, "unsafe:"), printable(u))
	}
}

func printArchive(p printer, a *bundler.Archive) {
	p.linef("%s (%s)", p.paint(bold, a.Path), a.Format)
	if a.Folder != "" {
		p.linef("  %-14s %s", "folder", a.Folder)
	} else {
		p.linef("  %-14s %s", "folder", p.paint(yellow, "none: the entries are not all in one top folder"))
	}
	p.linef("  entries (%d):", len(a.Entries))
	for _, e := range a.Entries {
		line := fmt.Sprintf("    %s %10d  %s", entryMode(e), e.Size, printable(e.Path))
		if e.Target != "" {
			line += " -> " + printable(e.Target)
		}
		if e.Unsafe != "" {
			line += "  " + p.paint(yellow, "unsafe: "+e.Unsafe)
		}
		p.linef("%s", line)
	}
	if x := a.Executable; x != nil {
		p.linef("  %-14s %s", "executable", p.paint(bold, printable(x.Path)))
		printExecutableDetails(p, x, "    ")
	} else {
		p.linef("  %-14s %s", "executable", p.paint(yellow, "none found in the top folder"))
	}
}

// entryMode shows an entry's type and permissions as ls -l does.
func entryMode(e bundler.Entry) string {
	perm, _ := strconv.ParseUint(e.Mode, 8, 32)
	m := fs.FileMode(perm).Perm()
	switch e.Type {
	case "dir":
		m |= fs.ModeDir
	case "symlink":
		m |= fs.ModeSymlink
	case "hardlink", "other":
		m |= fs.ModeIrregular
	}
	return m.String()
}

func printMSI(p printer, m *bundler.MSI) {
	p.linef("%s (msi)", p.paint(bold, m.Path))
	scope := m.InstallScope
	if !m.ElevationRequired {
		scope += ", no administrator rights needed"
	}
	for _, f := range []bundler.Field{
		{Key: "ProductName", Value: m.ProductName},
		{Key: "ProductVersion", Value: m.ProductVersion},
		{Key: "Manufacturer", Value: m.Manufacturer},
		{Key: "ProductCode", Value: m.ProductCode},
		{Key: "UpgradeCode", Value: m.UpgradeCode},
		{Key: "PackageCode", Value: m.PackageCode},
		{Key: "architecture", Value: m.Arch},
		{Key: "install scope", Value: scope},
	} {
		p.linef("  %-14s %s", f.Key, printable(f.Value))
	}
	p.linef("  %-14s %s", "signature", signature(p, m.Signed))
	for _, s := range m.Shortcuts {
		p.linef("  %-14s %s", "shortcut", printable(s))
	}
	p.linef("  files (%d):", len(m.Files))
	for _, f := range m.Files {
		p.linef("    %10d  %s", f.Size, printable(f.Path))
	}
}

// printable quotes s when it holds characters that are not printable, so
// names from a hostile archive or installer cannot move the cursor, colour
// the terminal or fake lines of the report.
func printable(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return strconv.Quote(s)
	}
	return s
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
			&cli.DurationFlag{Name: "watch", Value: 15 * time.Second, Usage: "how long to watch, a `DURATION` such as 15s"},
			&cli.IntFlag{Name: "max-procs", Value: 2, Usage: "the most processes (`N`) allowed at once, the program included"},
			&cli.DurationFlag{Name: "interval", Value: 50 * time.Millisecond, Usage: "`DURATION` between samples"},
			&cli.DurationFlag{Name: "grace", Value: 5 * time.Second, Usage: "`DURATION` the program gets to exit after SIGTERM at the end"},
			jsonFlag("print the report as JSON"),
		},
		Action: runVerify,
	}
}

func runVerify(c *cli.Context) error {
	args := c.Args().Slice()
	if len(args) == 0 {
		return bundler.UsageError(errors.New("verify needs a FILE to run; run `bundle verify --help`"))
	}
	path, rest := args[0], args[1:]
	if len(rest) > 0 && rest[0] == "--" {
		rest = rest[1:]
	}
	if c.Int("max-procs") < 1 || c.Duration("watch") <= 0 || c.Duration("interval") <= 0 {
		return bundler.UsageError(errors.New("--max-procs, --watch and --interval must be positive"))
	}
	r, err := bundler.Verify(c.Context, bundler.VerifyOptions{
		Path: path, Args: rest, Watch: c.Duration("watch"), Interval: c.Duration("interval"),
		Grace: c.Duration("grace"), Stdout: c.App.ErrWriter, Stderr: c.App.ErrWriter,
	})
	if errors.Is(err, bundler.ErrVerifyUnsupported) {
		return bundler.UsageError(err)
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
