package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestHelpRendersEveryFlag reads each command's --help: a switch shows no
// value placeholder, a flag that takes a value shows an upper-case one
// (not urfave/cli's "value"), and
// the --target and --format lines list the valid values.
func TestHelpRendersEveryFlag(t *testing.T) {
	var out bytes.Buffer
	app := newApp(&out, &out)
	for _, cmd := range app.Commands {
		if cmd.Hidden {
			continue
		}
		out.Reset()
		if code := run(context.Background(), []string{"bundle", cmd.Name, "--help"}, &out, &out); code != 0 {
			t.Fatalf("bundle %s --help: exit %d\n%s", cmd.Name, code, out.String())
		}
		_, help, _ := strings.Cut(out.String(), "OPTIONS:")
		for _, f := range cmd.Flags {
			name := f.Names()[0]
			line := regexp.MustCompile(`(?m)^\s+--` + regexp.QuoteMeta(name) + `\b[^\n]*$`).FindString(help)
			if line == "" {
				t.Errorf("bundle %s --help has no line for --%s", cmd.Name, name)
				continue
			}
			placeholder := regexp.MustCompile(`^\s+--` + regexp.QuoteMeta(name) + `( (\S+))?[, ]`).FindStringSubmatch(line)
			_, isSwitch := f.(*cli.BoolFlag)
			switch {
			case placeholder == nil:
				t.Errorf("bundle %s: cannot read the --%s line: %q", cmd.Name, name, line)
			case isSwitch && placeholder[2] != "" && placeholder[2] != "-"+shortAlias(f):
				t.Errorf("bundle %s: switch --%s shows a value %q: %q", cmd.Name, name, placeholder[2], line)
			case !isSwitch && (placeholder[2] == "" || placeholder[2] != strings.ToUpper(placeholder[2])):
				t.Errorf("bundle %s: --%s shows no value placeholder: %q", cmd.Name, name, line)
			}
		}
	}
	out.Reset()
	run(context.Background(), []string{"bundle", "build", "--help"}, &out, &out)
	for _, want := range []string{"linux/amd64, linux/arm", "windows/arm64", "tar.gz, zip, deb, rpm, apk, archlinux, nsis, msi, msix, app, dmg, sbom, homebrew, scoop, winget, aur"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("build --help does not list %q", want)
		}
	}
}

func shortAlias(f cli.Flag) string {
	for _, n := range f.Names()[1:] {
		if len(n) == 1 {
			return n
		}
	}
	return ""
}
