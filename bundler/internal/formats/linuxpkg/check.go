package linuxpkg

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/bundler/internal/platform"
	"github.com/bundlekit/bundle/templates/text"
)

// Check refuses a description that is still a placeholder (bundle init
// writes "TODO: …" when the project has no summary to take): package
// managers show it as the package's summary, so it must be written before
// the first package is. It also refuses a target whose package
// architecture arch cannot name: a GOARM go build does not know, or an ARM
// version the format's distribution has no port for.
func (f Format) Check(c config.Config, t platform.Target, _ *semver.Version) error {
	syn := strings.TrimSpace(text.Synopsis(c.Description))
	if strings.HasPrefix(strings.ToUpper(syn), "TODO") {
		return exitcode.Config(fmt.Errorf("%s: description: is still %q; write one line saying what %s does in bundle.yaml", f.name, syn, c.Name))
	}
	if _, err := f.arch(t, c.Build); err != nil {
		return fmt.Errorf("%s: %s: %w", f.name, t, err)
	}
	return nil
}

// CheckConfig checks what every Linux package needs beyond the field
// rules: a maintainer, and for a desktop entry an id and an icon.
func (f Format) CheckConfig(p *config.Project) error {
	c := p.Config
	field := "gui"
	if c.Linux.Desktop != nil {
		field = "linux.desktop"
	}
	switch {
	case c.Maintainer == "":
		return p.Errorf("maintainer", "%s packages need a maintainer; add maintainer: Name <email>", f.name)
	case c.Linux.DesktopEntry(c.GUI) && c.ID == "":
		return p.Errorf(field, "the %s package's desktop entry needs an id; add id: in reverse DNS, such as com.example.%s", f.name, c.Binary)
	case c.Linux.DesktopEntry(c.GUI) && c.Icon == "":
		return p.Errorf(field, "the %s package's desktop entry needs an icon; add icon: with a square PNG of at least %d×%d px, or set linux.desktop: false", f.name, config.MinIconSize, config.MinIconSize)
	}
	return nil
}

var (
	_ packager.Checker       = Format{}
	_ packager.ConfigChecker = Format{}
)
