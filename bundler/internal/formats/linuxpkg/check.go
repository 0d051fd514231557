package linuxpkg

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/packager"
	"github.com/bundlekit/bundle/templates/text"
)

// Check refuses a description that is still a placeholder (bundle init
// writes "TODO: …" when the project has no summary to take): package
// managers show it as the package's summary, so it must be written before
// the first package is.
func (f Format) Check(c config.Config, _ packager.Target, _ *semver.Version) error {
	syn := strings.TrimSpace(text.Synopsis(c.Description))
	if strings.HasPrefix(strings.ToUpper(syn), "TODO") {
		return exitcode.Config(fmt.Errorf("%s: description: is still %q; write one line saying what %s does in bundle.yaml", f.name, syn, c.Name))
	}
	return nil
}

var _ packager.Checker = Format{}
