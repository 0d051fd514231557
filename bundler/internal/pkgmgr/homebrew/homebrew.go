// Package homebrew writes a Homebrew cask: the .app from the macOS disk
// image (else from the app zip), or, for an app built without either, the
// executable from the tar.gz as a binary. A universal build gives one
// download; arm64 and amd64 builds give one per architecture, chosen by
// the cask's arch stanza.
package homebrew

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/bundlekit/bundle/bundler/internal/artifact"
	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/pkgmgr"
	"github.com/bundlekit/bundle/bundler/internal/platform/macos"
	"github.com/bundlekit/bundle/templates"
	"github.com/bundlekit/bundle/templates/text"
)

// Format is the cask's format in artifacts.json.
const Format = "homebrew-cask"

// Manager is the Homebrew cask writer.
type Manager struct{}

func (Manager) Name() string                { return "homebrew" }
func (Manager) Formats() []string           { return []string{Format} }
func (Manager) OS() string                  { return "darwin" }
func (Manager) Wanted(c config.Config) bool { return c.PackageManagers.Homebrew != nil }
func (Manager) CheckConfig(p *config.Project) error {
	if err := pkgmgr.CheckBase(p); err != nil {
		return err
	}
	if p.Config.Homepage == "" {
		return p.Errorf("homepage", "a Homebrew cask needs the app's homepage; add homepage: such as https://example.com/%s", p.Config.Binary)
	}
	return nil
}

// notTokenChars are what a cask token has a '-' for.
var notTokenChars = regexp.MustCompile(`[^a-z0-9]+`)

// Token is the cask's token: homebrew.token, else the binary's name in
// lower case with '-' for anything but letters and digits.
func Token(c config.Config) string {
	if c.PackageManagers.Homebrew != nil && c.PackageManagers.Homebrew.Token != "" {
		return c.PackageManagers.Homebrew.Token
	}
	t := strings.Trim(notTokenChars.ReplaceAllString(strings.ToLower(c.Binary), "-"), "-")
	if t == "" {
		t = "app"
	}
	return t
}

// split is a string cut around the architecture's name, whose two pieces
// the template joins with #{arch}; Head alone when there is one file.
type split struct{ Head, Tail string }

type cask struct {
	Token, Version, Name, Desc, Homepage string
	Arch                                 bool   // one download per architecture
	SHA256, Arm, Intel                   string // the one file's, or each architecture's
	URL                                  split
	MacOS                                string // a symbol such as :monterey
	OnlyArch                             string // :arm64 or :x86_64 when one Mac architecture is built
	App                                  string // the .app in the download; "" for a binary
	Binary                               split  // the executable's path in the download
	Target                               string
}

func (Manager) Write(in pkgmgr.Input) ([]pkgmgr.File, error) {
	c := in.Config
	var files []artifact.Artifact
	format := ""
	for _, f := range []string{"dmg", "app", "tar.gz"} {
		if files = in.Find("darwin", f); len(files) > 0 {
			format = f
			break
		}
	}
	if format == "" {
		return nil, pkgmgr.Missing("the macOS dmg, app or tar.gz")
	}
	// Homebrew's style wants a description without a full stop at its end.
	k := cask{Token: Token(c), Version: in.Version.String(), Name: text.Line(c.Name), Desc: strings.TrimSuffix(text.Synopsis(c.Description), "."),
		Homepage: c.Homepage, MacOS: macOSSymbol(c.MacOS.MinimumSystemVersion), Target: c.Binary}
	one, arm, intel := pick(files)
	switch {
	case one != nil:
		k.SHA256, k.URL = one.SHA256, split{Head: in.URL(*one)}
		if one.Arch != "universal" {
			k.OnlyArch = map[string]string{"arm64": ":arm64", "amd64": ":x86_64"}[one.Arch]
		}
	default:
		k.Arch, k.Arm, k.Intel = true, arm.SHA256, intel.SHA256
		head, tail, ok := cutLast(in.URL(*arm), "arm64")
		if !ok || head+"amd64"+tail != in.URL(*intel) {
			return nil, fmt.Errorf("homebrew: %s and %s differ in more than the architecture", arm.Path, intel.Path)
		}
		k.URL = split{head, tail}
	}
	if format == "tar.gz" {
		if k.Arch {
			head, tail, _ := cutLast(pkgmgr.Folder(*arm), "arm64")
			k.Binary = split{head, tail + "/" + c.Binary}
		} else {
			k.Binary = split{Head: pkgmgr.Folder(*one) + "/" + c.Binary}
		}
	} else {
		k.App = macos.BundleName(c)
	}
	data, err := templates.Render("pkgmgr/cask.rb.tmpl", k)
	if err != nil {
		return nil, err
	}
	return []pkgmgr.File{{Name: k.Token + ".rb", Format: Format, OS: "darwin", Data: data}}, nil
}

// pick returns the universal file (or the only one), else the arm64 and
// amd64 files.
func pick(files []artifact.Artifact) (one, arm, intel *artifact.Artifact) {
	for i, a := range files {
		switch a.Arch {
		case "universal":
			return &files[i], nil, nil
		case "arm64":
			arm = &files[i]
		case "amd64":
			intel = &files[i]
		}
	}
	switch {
	case arm != nil && intel != nil:
		return nil, arm, intel
	case arm != nil:
		return arm, nil, nil
	}
	return intel, nil, nil
}

// cutLast cuts s around the last sep: the architecture is named in the
// file name, after anything the download folder's address holds.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// macOSSymbol is Homebrew's name of the oldest macOS the app runs on
// (macos.minimum_system_version; 12.0 by default, the oldest Go 1.26
// supports). A version between two names takes the older one's.
func macOSSymbol(minimum string) string {
	major, _ := strconv.Atoi(strings.SplitN(minimum, ".", 2)[0])
	names := []struct {
		major int
		name  string
	}{{26, ":tahoe"}, {15, ":sequoia"}, {14, ":sonoma"}, {13, ":ventura"}}
	for _, n := range names {
		if major >= n.major {
			return n.name
		}
	}
	return ":monterey"
}
